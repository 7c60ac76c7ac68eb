"""The shapes of the sharing API's answers (for the OpenAPI document and the responses)."""

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="中文说明")


class HolderSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["person", "organization"], help_text="持证主体类别")
    kind_label = serializers.CharField()
    name = serializers.CharField(help_text="持证主体名称")
    code = serializers.CharField(help_text="持证主体代码：统一社会信用代码；公民身份号码在列表中脱敏")
    code_type = serializers.CharField(
        help_text="持证主体代码类型（GB/T 36902）：111 公民身份号码，001 统一社会信用代码"
    )


class IssuerSerializer(serializers.Serializer):
    name = serializers.CharField()
    code = serializers.CharField(help_text="颁发机构统一社会信用代码")


class FaceFieldSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField()


class SignatureSerializer(serializers.Serializer):
    algorithm = serializers.CharField(help_text="sm2（SM2/SM3）或 ed25519")
    key_id = serializers.CharField()
    signed_at = serializers.DateTimeField()


class LicenceSerializer(serializers.Serializer):
    identifier = serializers.CharField(help_text="电子证照标识（GB/T 36904）")
    name = serializers.CharField(help_text="证照名称")
    type_code = serializers.CharField(help_text="证照类型代码")
    number = serializers.CharField(help_text="证照编号")
    version = serializers.IntegerField()
    holder = HolderSerializer()
    issuer = IssuerSerializer()
    region_code = serializers.CharField(help_text="管辖属地代码")
    issued_on = serializers.DateField(help_text="颁发日期")
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True, help_text="有效期截止；null 为长期有效")
    long_term = serializers.BooleanField()
    face = FaceFieldSerializer(many=True, help_text="照面信息（全部照面项）")
    status = serializers.ChoiceField(
        choices=["valid", "suspended", "revoked", "expired", "tampered"],
        help_text="核验状态：重新计算签名，已换发的旧版本为 revoked",
    )
    status_label = serializers.CharField()
    signature = SignatureSerializer()
    case_number = serializers.CharField(allow_blank=True, help_text="来源办件编号")
    verification_url = serializers.CharField(help_text="证照二维码所含的核验地址")


class LicenceListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = LicenceSerializer(many=True)
