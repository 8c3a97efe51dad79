def test_a_mentor_is_picked_by_name_never_typed_as_an_id(officer, head, member, commune):
    from django.urls import reverse

    from hocvuso.mentoring.models import Mentor
    from tests.factories import login, make_user

    make_user("daisu.pick")
    client = login(officer)
    url = reverse("mentoring:mentor_create", args=[commune.code])
    page = client.post(url, {"find": "1", "q": "giang mi po 1970"})
    assert page.status_code == 200
    text = page.content.decode()
    assert f'value="{head.pk}"' in text  # found by name without diacritics and year of birth
    assert f'value="{member.pk}"' not in text  # another year: not listed
    assert "giang mi po" not in page.wsgi_request.get_full_path()
    refused = client.post(url, {"username": "daisu.pick", "capacity": "5"})
    assert refused.status_code == 400
    assert "Tìm người theo tên rồi chọn trong danh sách." in refused.content.decode()
    assert not Mentor.objects.exists()
    done = client.post(url, {"person": str(head.pk), "username": "daisu.pick", "capacity": "5"})
    assert done.status_code == 302
    assert Mentor.objects.get().person == head
