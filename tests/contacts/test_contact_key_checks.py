from cryptography.fernet import Fernet

from contacts.checks import contact_keys_are_fernet_keys


def test_a_malformed_key_is_an_error_that_does_not_show_the_key(settings):
    settings.CIVIC311_CONTACT_KEYS = [Fernet.generate_key().decode(), "not-a-key-s3cret"]
    errors = contact_keys_are_fernet_keys(None)
    assert [e.id for e in errors] == ["contacts.E001"] and "s3cret" not in errors[0].msg
