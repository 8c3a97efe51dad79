"""Seed the catalogue: Decision 757's group 0 (devices), DigComp 2.2's five areas, area 6 (AI) of
Circular 02/2025/TT-BGDĐT, the movement's practical milestones, and the named sets.

Competences are seeded at proficiency level 2 (foundation), the citizen's basic level. The data
lives here (not imported from app code) so the migration means the same thing forever.

The national ``basic`` set — what counts a person as digitally literate — is chosen to match the
citizens' basic framework of Decision 757 (device use, information, communication, safety) plus
the movement's life milestones that every adult needs: VNeID level 2, one online public service
done, recognising online scams. A bank account, QR payment, selling online and savings are not
required (not every adult needs them); a province may tighten the set with its own row.
"""

from django.db import migrations

AREAS = [
    ("0", "Sử dụng thiết bị và phần mềm", "Using devices and software", "Quyết định 757/QĐ-BKHCN", 0),
    ("1", "Khai thác dữ liệu và thông tin", "Information and data literacy", "DigComp 2.2", 1),
    ("2", "Giao tiếp và hợp tác", "Communication and collaboration", "DigComp 2.2", 2),
    ("3", "Sáng tạo nội dung số", "Digital content creation", "DigComp 2.2", 3),
    ("4", "An toàn", "Safety", "DigComp 2.2", 4),
    ("5", "Giải quyết vấn đề", "Problem solving", "DigComp 2.2", 5),
    ("6", "Ứng dụng trí tuệ nhân tạo", "Artificial intelligence", "Thông tư 02/2025/TT-BGDĐT", 6),
    ("M", "Mốc thực hành", "Practical milestones", "Bình dân học vụ số", 9),
]

# code, area, name_vi, name_en, description_vi, description_en, programmes
COMPETENCES = [
    ("0.1", "0", "Sử dụng điện thoại thông minh", "Using a smartphone",
     "Bật, mở khoá, kết nối Wi-Fi/4G, gọi điện, nhắn tin, chụp ảnh.",
     "Switches on, unlocks, connects to Wi-Fi/4G, calls, texts, takes photos.", ["decision_757"]),
    ("0.2", "0", "Cài đặt và cập nhật ứng dụng", "Installing and updating apps",
     "Tìm, cài, cập nhật và gỡ một ứng dụng từ kho ứng dụng chính thức.",
     "Finds, installs, updates and removes an app from the official store.", ["decision_757"]),
    ("1.1", "1", "Duyệt, tìm kiếm và lọc dữ liệu, thông tin", "Browsing, searching and filtering data, information and digital content",
     "Tìm được thông tin cần thiết trên mạng bằng từ khoá.", "Finds the information they need online with keywords.", ["digcomp", "circular_02_2025"]),
    ("1.2", "1", "Đánh giá dữ liệu, thông tin", "Evaluating data, information and digital content",
     "Phân biệt nguồn tin chính thống với tin giả.", "Tells official sources from fake news.", ["digcomp", "circular_02_2025"]),
    ("1.3", "1", "Quản lý dữ liệu, thông tin", "Managing data, information and digital content",
     "Lưu, sắp xếp và tìm lại ảnh, giấy tờ trên điện thoại.", "Saves, organises and finds again photos and documents on the phone.", ["digcomp", "circular_02_2025"]),
    ("2.1", "2", "Tương tác qua công nghệ số", "Interacting through digital technologies",
     "Nhắn tin, gọi video qua Zalo hoặc ứng dụng tương tự.", "Messages and video-calls with Zalo or a similar app.", ["digcomp", "circular_02_2025"]),
    ("2.2", "2", "Chia sẻ qua công nghệ số", "Sharing through digital technologies",
     "Gửi ảnh, tệp, vị trí cho người khác.", "Sends photos, files and a location to others.", ["digcomp", "circular_02_2025"]),
    ("2.3", "2", "Thực hiện quyền công dân qua công nghệ số", "Engaging in citizenship through digital technologies",
     "Dùng dịch vụ công và kênh phản ánh trực tuyến của chính quyền.", "Uses public services and the government's online feedback channels.", ["digcomp", "circular_02_2025"]),
    ("2.4", "2", "Hợp tác qua công nghệ số", "Collaborating through digital technologies",
     "Tham gia nhóm trực tuyến để cùng làm việc.", "Works with others in an online group.", ["digcomp", "circular_02_2025"]),
    ("2.5", "2", "Chuẩn mực giao tiếp trên mạng", "Netiquette",
     "Ứng xử lịch sự, văn minh trên mạng.", "Behaves politely and respectfully online.", ["digcomp", "circular_02_2025"]),
    ("2.6", "2", "Quản lý danh tính số", "Managing digital identity",
     "Quản lý tài khoản, mật khẩu và danh tính điện tử của mình.", "Manages their own accounts, passwords and e-identity.", ["digcomp", "circular_02_2025"]),
    ("3.1", "3", "Phát triển nội dung số", "Developing digital content",
     "Tạo văn bản, ảnh, video đơn giản.", "Creates simple text, photos and videos.", ["digcomp", "circular_02_2025"]),
    ("3.2", "3", "Tích hợp và tạo lập lại nội dung số", "Integrating and re-elaborating digital content",
     "Chỉnh sửa, ghép nội dung có sẵn.", "Edits and combines existing content.", ["digcomp", "circular_02_2025"]),
    ("3.3", "3", "Bản quyền và giấy phép", "Copyright and licences",
     "Biết nội dung nào được phép dùng lại.", "Knows which content may be reused.", ["digcomp", "circular_02_2025"]),
    ("3.4", "3", "Lập trình", "Programming",
     "Viết được chỉ dẫn đơn giản cho máy tính.", "Writes simple instructions for a computer.", ["digcomp", "circular_02_2025"]),
    ("4.1", "4", "Bảo vệ thiết bị", "Protecting devices",
     "Đặt khoá màn hình, cập nhật phần mềm, tránh ứng dụng lạ.", "Sets a screen lock, updates software, avoids unknown apps.", ["digcomp", "circular_02_2025"]),
    ("4.2", "4", "Bảo vệ dữ liệu cá nhân và quyền riêng tư", "Protecting personal data and privacy",
     "Không chia sẻ mã OTP, số CCCD, mật khẩu cho người lạ.", "Does not share OTP codes, ID numbers or passwords with strangers.", ["digcomp", "circular_02_2025"]),
    ("4.3", "4", "Bảo vệ sức khoẻ và an sinh", "Protecting health and well-being",
     "Dùng thiết bị điều độ, tránh bắt nạt trên mạng.", "Uses devices in moderation, avoids cyber-bullying.", ["digcomp", "circular_02_2025"]),
    ("4.4", "4", "Bảo vệ môi trường", "Protecting the environment",
     "Biết tác động môi trường của thiết bị số.", "Knows the environmental impact of digital devices.", ["digcomp", "circular_02_2025"]),
    ("5.1", "5", "Giải quyết vấn đề kỹ thuật", "Solving technical problems",
     "Tự xử lý lỗi thường gặp: hết bộ nhớ, mất kết nối.", "Fixes common problems: full storage, lost connection.", ["digcomp", "circular_02_2025"]),
    ("5.2", "5", "Xác định nhu cầu và giải pháp công nghệ", "Identifying needs and technological responses",
     "Chọn ứng dụng phù hợp với việc cần làm.", "Chooses the right app for the task.", ["digcomp", "circular_02_2025"]),
    ("5.3", "5", "Sử dụng sáng tạo công nghệ số", "Creatively using digital technologies",
     "Dùng công nghệ số để cải thiện công việc, sản xuất.", "Uses digital tools to improve work or production.", ["digcomp", "circular_02_2025"]),
    ("5.4", "5", "Xác định thiếu hụt năng lực số", "Identifying digital competence gaps",
     "Biết mình cần học thêm gì và học ở đâu.", "Knows what to learn next and where.", ["digcomp", "circular_02_2025"]),
    ("6.1", "6", "Hiểu biết về trí tuệ nhân tạo", "Understanding artificial intelligence",
     "Giải thích được AI là gì và làm được gì.", "Explains what AI is and what it can do.", ["circular_02_2025"]),
    ("6.2", "6", "Sử dụng trí tuệ nhân tạo", "Using artificial intelligence",
     "Dùng trợ lý AI để hỏi đáp, dịch, tóm tắt.", "Uses an AI assistant to ask, translate, summarise.", ["circular_02_2025"]),
    ("6.3", "6", "Đánh giá trí tuệ nhân tạo", "Evaluating artificial intelligence",
     "Kiểm tra lại câu trả lời của AI, nhận biết nội dung giả do AI tạo.", "Checks AI answers and recognises AI-made fakes.", ["circular_02_2025"]),
]

MILESTONES = [
    ("vneid.install", "Cài đặt ứng dụng VNeID", "VNeID installed",
     "Đã cài VNeID và đăng nhập được (định danh mức 1).", "Has VNeID installed and can sign in (level 1).", ["identity"]),
    ("vneid.level2", "Kích hoạt định danh điện tử mức 2", "VNeID level 2 activated",
     "Tài khoản VNeID mức 2 đã kích hoạt, tự mở được giấy tờ trên ứng dụng.", "Has an activated level-2 VNeID account and opens their documents in it.", ["identity", "basic"]),
    ("dvc.online", "Thực hiện dịch vụ công trực tuyến", "Online public service completed",
     "Đã tự nộp một thủ tục trên Cổng dịch vụ công quốc gia.", "Has submitted a procedure on the National Public Service Portal.", ["basic"]),
    ("bank.account", "Mở tài khoản ngân hàng số", "Digital bank account opened",
     "Có tài khoản ngân hàng dùng được trên điện thoại.", "Has a bank account they use on their phone.", ["identity"]),
    ("pay.qr", "Thanh toán không dùng tiền mặt (QR)", "Cashless (QR) payment made",
     "Đã tự quét mã QR để thanh toán.", "Has paid by scanning a QR code.", ["4t"]),
    ("trade.profile", "Lập hồ sơ tiểu thương số", "Digital trader profile",
     "Có hồ sơ cửa hàng số (mã QR nhận tiền, trang bán hàng hoặc điểm bán trên bản đồ số).", "Has a digital shop profile (a payment QR, a shop page or a listing on a digital map).", ["4t"]),
    ("sell.online", "Đăng bán hàng trực tuyến", "Goods listed or sold online",
     "Đã đăng bán hoặc bán được hàng qua sàn thương mại điện tử hoặc mạng xã hội.", "Has listed or sold goods on an e-commerce platform or social network.", ["4t"]),
    ("save.digital", "Gửi tiết kiệm số", "Digital savings deposit",
     "Đã gửi tiết kiệm trực tuyến trên ứng dụng ngân hàng.", "Has made a savings deposit in a banking app.", ["4t"]),
    ("safety.scams", "Nhận biết lừa đảo trực tuyến", "Recognising online scams",
     "Nhận ra được cuộc gọi, tin nhắn, đường link lừa đảo thường gặp.", "Recognises common scam calls, messages and links.", ["basic"]),
    ("safety.data", "Bảo vệ dữ liệu cá nhân", "Protecting one's personal data",
     "Biết giữ kín mã OTP, mật khẩu, ảnh CCCD; biết cài đặt quyền riêng tư.", "Keeps OTPs, passwords and ID-card photos private; sets privacy settings.", ["basic"]),
]

SETS = {
    "basic": ("Bộ kỹ năng số cơ bản", "Basic digital skill set",
              "Người dân được tính là có kỹ năng số cơ bản (mặc định toàn quốc).",
              ["0.1", "1.1", "2.1", "4.2", "vneid.level2", "dvc.online", "safety.scams"]),
    "4t": ("Mô hình 4T", "The 4T model",
           "Tiểu thương – Thương mại điện tử – Thanh toán không dùng tiền mặt – Tiết kiệm số.",
           ["trade.profile", "sell.online", "pay.qr", "save.digital"]),
    "identity": ("Mỗi công dân – Một danh tính số", "Every citizen, one digital identity",
                 "Định danh điện tử mức 2 và tài khoản ngân hàng số.",
                 ["vneid.level2", "bank.account"]),
}


def seed(apps, schema_editor):
    SkillArea = apps.get_model("skills", "SkillArea")
    Skill = apps.get_model("skills", "Skill")
    SkillSet = apps.get_model("skills", "SkillSet")
    for code, vi, en, source, order in AREAS:
        SkillArea.objects.update_or_create(
            code=code, defaults={"name_vi": vi, "name_en": en, "source": source, "order": order}
        )
    for order, (code, area, vi, en, dvi, den, programmes) in enumerate(COMPETENCES):
        Skill.objects.update_or_create(
            code=code,
            defaults={
                "area_id": area, "kind": "competence", "level": 2, "name_vi": vi, "name_en": en,
                "description_vi": dvi, "description_en": den, "programmes": programmes,
                "order": order,
            },
        )  # fmt: skip
    for order, (code, vi, en, dvi, den, programmes) in enumerate(MILESTONES):
        Skill.objects.update_or_create(
            code=code,
            defaults={
                "area_id": "M", "kind": "milestone", "level": 2, "name_vi": vi, "name_en": en,
                "description_vi": dvi, "description_en": den, "programmes": programmes,
                "order": order,
            },
        )  # fmt: skip
    for code, (vi, en, description, members) in SETS.items():
        skill_set, _ = SkillSet.objects.update_or_create(
            code=code,
            province=None,
            defaults={"name_vi": vi, "name_en": en, "description": description},
        )
        skill_set.skills.set(Skill.objects.filter(code__in=members))


def unseed(apps, schema_editor):
    apps.get_model("skills", "SkillSet").objects.filter(code__in=SETS).delete()


class Migration(migrations.Migration):
    dependencies = [("skills", "0001_skill_catalogue_events_and_status")]

    operations = [migrations.RunPython(seed, unseed)]
