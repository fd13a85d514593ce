"""schedctl's command line: usage errors and version (SPEC section 7)."""


def test_version(schedctl):
    r = schedctl("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("schedctl ")


def test_no_command_is_usage_error(schedctl):
    r = schedctl()
    assert r.returncode == 2
    assert "Usage:" in r.stderr


def test_unknown_command_is_usage_error(schedctl):
    r = schedctl("frobnicate")
    assert r.returncode == 2
    assert "unknown command 'frobnicate'" in r.stderr
