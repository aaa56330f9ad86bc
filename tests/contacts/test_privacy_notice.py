import io
from pathlib import Path

from django.core.management import call_command

from contacts.privacy_notice import TITLE, declaring_models

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_section() -> str:
    text = README.read_text()
    start = text.index(TITLE)
    following = text.find("\n## ", start + len(TITLE))
    section = text[start:] if following == -1 else text[start:following]
    return section.rstrip("\n") + "\n"  # the blank line before the next heading is not the section's


def test_the_readme_section_is_the_commands_output():
    out = io.StringIO()
    call_command("privacy_notice", stdout=out)
    assert _readme_section() == out.getvalue()


def test_every_field_of_every_contacts_model_is_declared():
    from django.apps import apps

    models = set(apps.get_app_config("contacts").get_models())
    assert models <= set(declaring_models())
    for model in models:
        declared = [name for stored in model.STORED_ABOUT_YOU for name in stored.fields]
        fields = {f.name for f in model._meta.concrete_fields} - {"id"}
        assert sorted(declared) == sorted(fields), model


def test_what_a_resident_sends_with_a_request_is_declared_too():
    from requests_app.models import Photo, ServiceRequest

    declared = {name for stored in ServiceRequest.STORED_ABOUT_YOU for name in stored.fields}
    assert {
        "description",
        "answers",
        "location",
        "address",
        "address_id",
        "zipcode",
        "public_description",
        "public_answers",
    } == declared
    assert {name for stored in Photo.STORED_ABOUT_YOU for name in stored.fields} == {
        "original",
        "public_image",
        "external_url",
    }
