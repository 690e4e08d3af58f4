"""`check` and the exit codes against the real Redmine (SPEC: CLI, exit codes, principle 7).

Every CLI run of the harness also asserts that the API key never appears in
stdout/stderr, whatever the outcome.
"""

from __future__ import annotations

from slaharness import SlaHarness


def test_check_passes_on_the_english_and_the_russian_configuration(sla: SlaHarness) -> None:
    """Every status, tracker, priority, field, group and the lead named by the
    edoc / edoc-ru configurations exists: exit 0 and an `ok:` line."""
    for config in (
        sla.config(["edoc"]),
        sla.config(["edoc-ru"], russian=True, language="ru"),
    ):
        result = sla.run(config, "-vv", "check")
        assert result.rc == 0, str(result)
        assert result.stdout.startswith("ok:"), str(result)
        assert "problem" not in result.stdout


def test_check_lists_every_misnamed_status_field_and_group(sla: SlaHarness) -> None:
    """A misnamed status, custom field, group, tracker, priority and lead: exit 1, and
    each problem is listed on its own line naming its configuration key and the
    wrong name."""
    config = sla.config(
        overrides={
            "statuses": {"awaiting_client": ["Feedbak"]},
            "fields": {"sla_state": "SLA-state"},
            "staff": {"groups": ["Suport"], "lead": "lead9"},
            "trackers": {"defect": ["Bugs"]},
            "priorities": {"immediate": ["Immediat"]},
        }
    )
    result = sla.run(config, "check")
    assert result.rc == 1, str(result)
    problems = [ln for ln in result.stdout.splitlines() if ln.startswith("problem:")]
    assert len(problems) == 6, str(result)
    for key, name in (
        ("statuses.awaiting_client", "'Feedbak'"),
        ("fields.sla_state", "'SLA-state'"),
        ("staff.groups", "'Suport'"),
        ("staff.lead", "'lead9'"),
        ("trackers.defect", "'Bugs'"),
        ("priorities.immediate", "'Immediat'"),
    ):
        assert any(key in p and name in p for p in problems), (key, problems)


def test_check_with_a_wrong_key_exits_3_without_showing_any_key(sla: SlaHarness) -> None:
    """Redmine answers 401 to an unknown key: exit 3 with a message saying the key
    was refused; neither the wrong nor the real key is printed."""
    wrong = "0123456789abcdef0123456789abcdef01234567"
    config = sla.config()
    for command in (["check"], ["sync", "--dry-run"]):
        result = sla.run(config, "-vv", *command, key=wrong)
        assert result.rc == 3, str(result)
        assert "key" in result.stderr.lower(), str(result)


def test_check_with_a_non_admin_key_says_so(sla: SlaHarness) -> None:
    """client1's key is valid but not an administrator's: `check` exits 1 and says
    plainly that an administrator's key is needed."""
    result = sla.run(sla.config(), "check", key=sla.rm.key("client1"))
    assert result.rc == 1, str(result)
    assert "administrator" in result.stdout, str(result)


def test_unreachable_tracker_exits_3(sla: SlaHarness) -> None:
    """Nothing listens on port 1: exit 3 (the tracker could not be reached)."""
    config = sla.config(overrides={"redmine": {"url": "http://127.0.0.1:1"}})
    result = sla.run(config, "check")
    assert result.rc == 3, str(result)
    assert "127.0.0.1:1" in result.stderr, str(result)


def test_config_output_masks_the_key(sla: SlaHarness) -> None:
    """`config` shows the effective configuration with the key masked."""
    result = sla.run(sla.config(), "config")
    assert result.rc == 0, str(result)
    assert result.json()["redmine"]["api_key"] == "***"


def test_bad_configuration_key_exits_2_naming_it(sla: SlaHarness) -> None:
    """An unknown key in the file: exit 2 and the key is named."""
    config = sla.config(overrides={"notes": {"langauge": "en"}})
    result = sla.run(config, "check")
    assert result.rc == 2, str(result)
    assert "notes.langauge" in result.stderr, str(result)


def test_config_file_discovery_and_environment_overrides(sla: SlaHarness) -> None:
    """Without --config the CLI reads ./sup-sla-sync.toml, or $SUP_SLA_CONFIG; any key
    is overridden by SUP_SLA_<SECTION>__<KEY> (here notes.language)."""
    sla.config(name="sup-sla-sync.toml", language="en")
    other = sla.config(name="other.toml", language="ru")

    default = sla.run(None, "config")
    by_env = sla.run(None, "config", env={"SUP_SLA_CONFIG": str(other)})
    overridden = sla.run(None, "config", env={"SUP_SLA_NOTES__LANGUAGE": "kk"})

    assert [r.rc for r in (default, by_env, overridden)] == [0, 0, 0]
    assert default.json()["notes"]["language"] == "en"
    assert by_env.json()["notes"]["language"] == "ru"
    assert overridden.json()["notes"]["language"] == "kk"
    assert sla.run(None, "check").rc == 0
