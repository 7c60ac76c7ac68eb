"""The masking template filters and the form-answer masking used by the case pages."""

from django.template import Context, Template

from banhao.core.masking import mask_field_value

ID = "371302198005051115"


def render(source: str, **context) -> str:
    return Template("{% load masking %}" + source).render(Context(context))


def test_mask_identifiers_masks_ids_and_mobiles_inside_text_and_escapes_the_rest():
    out = render("{{ v|mask_identifiers }}", v=f"<b>{ID}</b> 手机13912345678，座机0539-8123456")
    assert out == "&lt;b&gt;3713**********1115&lt;/b&gt; 手机139****5678，座机0539-8123456"
    assert render("{{ v|mask_identifiers }}", v=None) == ""


def test_the_phone_and_id_filters_mask_whole_values():
    assert render("{{ p|mask_phone }} {{ n|mask_resident_id }}", p="13800000001", n=ID) == (
        "138****0001 3713**********1115"
    )


def test_form_answers_are_masked_by_their_field_type():
    assert mask_field_value(ID, "resident_id") == "3713**********1115"
    assert mask_field_value("0539-8123456", "phone") == "053*****3456"
    assert mask_field_value(f"委托人{ID}", "text") == "委托人3713**********1115"
    assert mask_field_value("临沂某餐饮店", "text") == "临沂某餐饮店"
