"""scrypt hashes: salted, checked in constant time, parameters kept in the stored string."""

from __future__ import annotations

from appliance import passwords


def test_passwords_hash_is_salted_and_verifies() -> None:
    first = passwords.hash_secret("门禁1234")
    second = passwords.hash_secret("门禁1234")
    assert first != second
    assert first.startswith(f"scrypt${passwords.COST_N}${passwords.BLOCK_R}$")
    assert passwords.verify_secret("门禁1234", first)
    assert passwords.verify_secret("门禁1234", second)
    assert not passwords.verify_secret("门禁1235", first)
    assert not passwords.verify_secret("", first)


def test_passwords_old_parameters_still_verify_and_ask_for_rehash() -> None:
    weak = passwords.hash_secret("1234", n=2**10)
    assert passwords.verify_secret("1234", weak)
    assert passwords.needs_rehash(weak)
    assert not passwords.needs_rehash(passwords.hash_secret("1234"))


def test_passwords_damaged_stored_hash_is_simply_wrong() -> None:
    good = passwords.hash_secret("1234")
    for damaged in (
        "",
        "plain1234",
        good.replace("scrypt", "md5"),
        good[:-4] + "!!!!",
        "scrypt$3$8$1$AAAA$AAAA",
    ):
        assert not passwords.verify_secret("1234", damaged)
