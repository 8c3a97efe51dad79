"""Ethnicity and special-needs notes sealed at rest (sensitive data under Law 91/2025): the
columns become text, then every stored value is sealed in batches (and opened again on the way
back)."""

from django.db import migrations

import hocvuso.core.crypto
from hocvuso.core.crypto import PREFIX, seal, unseal

COLUMNS = (("ethnicity", "ethnicity"), ("special_needs", "special_needs"))
BATCH = 2000


def _rewrite(schema_editor, change):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for column, purpose in COLUMNS:
            cursor.execute(
                f"SELECT id, {column} FROM registry_person WHERE {column} <> ''"  # noqa: S608
            )
            rows = [(pk, change(purpose, value)) for pk, value in cursor.fetchall()]
            rows = [(value, pk) for pk, value in rows if value is not None]
            for start in range(0, len(rows), BATCH):
                cursor.executemany(
                    f"UPDATE registry_person SET {column} = %s WHERE id = %s",  # noqa: S608
                    rows[start : start + BATCH],
                )


def seal_all(apps, schema_editor):  # type: ignore[no-untyped-def]
    _rewrite(
        schema_editor, lambda purpose, v: None if v.startswith(PREFIX) else seal(purpose, v)
    )


def open_all(apps, schema_editor):  # type: ignore[no-untyped-def]
    _rewrite(
        schema_editor, lambda purpose, v: unseal(purpose, v) if v.startswith(PREFIX) else None
    )


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0003_person_erasure'),
    ]

    operations = [
        migrations.AlterField(
            model_name='person',
            name='ethnicity',
            field=hocvuso.core.crypto.SealedTextField(blank=True, choices=[('01', 'Kinh'), ('02', 'Tày'), ('03', 'Thái'), ('04', 'Hoa'), ('05', 'Khơ Me'), ('06', 'Mường'), ('07', 'Nùng'), ('08', 'Mông'), ('09', 'Dao'), ('10', 'Gia Rai'), ('11', 'Ngái'), ('12', 'Ê Đê'), ('13', 'Ba Na'), ('14', 'Xơ Đăng'), ('15', 'Sán Chay'), ('16', 'Cơ Ho'), ('17', 'Chăm'), ('18', 'Sán Dìu'), ('19', 'Hrê'), ('20', 'Mnông'), ('21', 'Ra Glai'), ('22', 'Xtiêng'), ('23', 'Bru - Vân Kiều'), ('24', 'Thổ'), ('25', 'Giáy'), ('26', 'Cơ Tu'), ('27', 'Gié Triêng'), ('28', 'Mạ'), ('29', 'Khơ Mú'), ('30', 'Co'), ('31', 'Tà Ôi'), ('32', 'Chơ Ro'), ('33', 'Kháng'), ('34', 'Xinh Mun'), ('35', 'Hà Nhì'), ('36', 'Chu Ru'), ('37', 'Lào'), ('38', 'La Chí'), ('39', 'La Ha'), ('40', 'Phù Lá'), ('41', 'La Hủ'), ('42', 'Lự'), ('43', 'Lô Lô'), ('44', 'Chứt'), ('45', 'Mảng'), ('46', 'Pà Thẻn'), ('47', 'Cơ Lao'), ('48', 'Cống'), ('49', 'Bố Y'), ('50', 'Si La'), ('51', 'Pu Péo'), ('52', 'Brâu'), ('53', 'Ơ Đu'), ('54', 'Rơ Măm')], default='', purpose='ethnicity', verbose_name='ethnicity'),
        ),
        migrations.AlterField(
            model_name='person',
            name='special_needs',
            field=hocvuso.core.crypto.SealedTextField(blank=True, default='', purpose='special_needs', verbose_name='special needs'),
        ),
        migrations.RunPython(seal_all, open_all, elidable=False),
    ]
