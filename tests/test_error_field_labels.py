"""Chinese error messages name fields in Chinese (手机号：…, not phone：…), the API's included."""

import re

import pytest
from django.utils import translation

from kefu import clean
from kefu.api.errors import describe
from kefu.errors import InvalidInput


def _refusal(fn) -> str:
    with pytest.raises(InvalidInput) as caught:
        fn()
    return caught.value.text()


def test_chinese_messages_name_the_field_in_chinese():
    with translation.override("zh-hans"):
        assert _refusal(lambda: clean.text("", "phone", max_length=20)).startswith("手机号：")
        assert _refusal(lambda: clean.text("", "technician", max_length=20)).startswith("技术员：")
        assert _refusal(lambda: clean.text("", "customer.phone", max_length=20)).startswith(
            "顾客·手机号："
        )
        api = describe(
            {
                "loc": ("body", "payload", "status", 0),
                "type": "literal_error",
                "ctx": {"expected": "'resolved' or 'closed'"},
            }
        )
    assert api["field"] == "status.0"  # the path stays for programs
    assert api["message"].startswith("状态·第1项：") and " or " not in api["message"]
    # the allowed values with what they mean, not bare codes
    assert "'resolved'（已解决）、'closed'（已关闭）" in api["message"], api["message"]
    assert not re.search(r"\b(phone|technician|status)\b", api["message"])


def test_english_messages_keep_the_field_path():
    with translation.override("en"):
        assert _refusal(lambda: clean.text("", "customer.phone", max_length=20)).startswith(
            "customer.phone:"
        )
