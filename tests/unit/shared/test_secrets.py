from shared.secrets import hash_password, hash_token, new_token, verify_password


def test_password_round_trip() -> None:
    stored = hash_password("correct horse")
    assert "correct horse" not in stored
    assert verify_password("correct horse", stored)
    assert not verify_password("wrong", stored)
    assert not verify_password("correct horse", "garbage")


def test_each_hash_is_salted() -> None:
    assert hash_password("x") != hash_password("x")


def test_tokens() -> None:
    a, b = new_token(), new_token()
    assert a != b
    assert len(a) >= 32
    assert hash_token(a) == hash_token(a) != hash_token(b)
