"""README "Pointing it at a real tracker", step by step, on a bare Redmine 5 with Redmine's
own Russian default data (not scripts/redmine/setup.rb): a fresh database, `bin/rake
redmine:load_default_data REDMINE_LANG=ru`, a project and a few issues made by ordinary
users. It ends with `check` ok and a dry run that would only stamp the older issues."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from railsrunner import rails_runner, redmine_command
from slaharness import OwnRedmine, SlaHarness

from localredmine import LocalRedmine

# What an admin does by hand in the web UI (steps 1 and 2, plus a desk's existing life):
# the REST API on, the tool's administrator account and its key; a project with two
# ordinary users, and their issues, the newest three weeks old, one waiting for the client.
BY_HAND = r"""
ActiveRecord::Base.logger = nil
ActionMailer::Base.perform_deliveries = false
Setting.rest_api_enabled = '1'
Setting.login_required = '1'
def user(login, admin: false)
  u = User.find_by_login(login) || User.new
  u.login = login; u.firstname = login; u.lastname = 'Test'; u.mail = "#{login}@example.test"
  u.admin = admin; u.status = User::STATUS_ACTIVE; u.language = 'ru'
  u.password = u.password_confirmation = 'walk-through-pass'
  u.save!
  u
end
tool = user('sla-admin', admin: true)
agent = user('agent1')
client = user('client1')
project = Project.find_by(identifier: 'edoc') || Project.create!(
  name: 'E-DOC', identifier: 'edoc', is_public: false,
  tracker_ids: Tracker.pluck(:id), enabled_module_names: ['issue_tracking'])
{ agent => 'Разработчик', client => 'Репортёр' }.each do |who, role|
  next if Member.find_by(project: project, user_id: who.id)
  Member.create!(project: project, principal: who, role_ids: [Role.find_by(name: role).id])
end
support = Tracker.find_by(name: 'Поддержка')
bug = Tracker.find_by(name: 'Ошибка')
waiting = Issue.create!(project: project, tracker: support, author: client,
  subject: 'Не могу подписать договор', description: 'Помогите, пожалуйста',
  assigned_to: agent)
waiting.reload
waiting.init_journal(agent, 'Пришлите, пожалуйста, номер договора')
waiting.status = IssueStatus.find_by(name: 'Нужен отклик')
waiting.save!
broken = Issue.create!(project: project, tracker: bug, author: client,
  subject: 'Ошибка 500 при входе', description: 'Не работает вход')
three_weeks = 21.days.ago
[waiting, broken].each do |issue|
  # reload: on Rails 7.2 (Redmine 6) update_columns on the record create! returned
  # changes nothing
  issue.reload.update_columns(created_on: three_weeks, updated_on: three_weeks + 3600,
                       start_date: three_weeks.to_date)
  issue.journals.each { |j| j.update_columns(created_on: three_weeks + 3600) }
end
puts({ key: tool.api_key, waiting: waiting.id, broken: broken.id }.to_json)
"""


def _rake(db: Path, *args: str) -> None:
    argv, env = redmine_command(["bin/rake", *args], str(db), REDMINE_LANG="ru")
    done = subprocess.run(
        argv,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_readme_walkthrough_on_a_bare_russian_redmine(tmp_path: Path) -> None:
    bare = tmp_path / "bare.sqlite3"
    _rake(bare, "db:migrate")
    _rake(bare, "redmine:load_default_data")
    script = tmp_path / "by_hand.rb"
    script.write_text(BY_HAND, encoding="utf-8")
    made = rails_runner(str(bare), script)
    assert made.returncode == 0, made.stderr[-3000:]
    facts = json.loads([ln for ln in made.stdout.splitlines() if ln.startswith("{")][-1])

    source = LocalRedmine(
        {
            "url": "http://127.0.0.1:1",
            "db_path": str(bare),
            "admin_login": "sla-admin",
            "keys": {"sla-admin": facts["key"]},
        }
    )
    server = OwnRedmine(source, tmp_path / "server")
    server.start()
    try:
        walk = tmp_path / "walk"
        walk.mkdir()
        sla = SlaHarness(server.rm, walk)

        # Step 3: init from the tracker.
        init = sla.run(None, "init", "--url", server.rm.url, "--project", "edoc")
        assert init.rc == 0, str(init)
        config = walk / "sup-sla-sync.toml"
        text = config.read_text(encoding="utf-8")
        # Step 4: the review finds Redmine's Russian names in their roles.
        for line in (
            'new = ["Новая"]',
            'awaiting_client = ["Нужен отклик"]',
            'auto_close_to = "Закрыта"',
            'defect = ["Ошибка"]',
            'consultation = ["Поддержка"]',
            'normal = ["Низкий", "Нормальный"]',
        ):
            assert line in text, (line, text)
        before = sla.run(None, "check")
        assert before.rc == 1 and "no issue custom field 'Уровень SLA'" in before.stdout

        # Step 5: the setup script, run as the README says.
        printed = sla.run(None, "setup-script")
        assert printed.rc == 0, str(printed)
        setup = walk / "sla-setup.rb"
        setup.write_text(printed.stdout, encoding="utf-8")
        ran = rails_runner(server.db_path.as_posix(), setup)
        assert ran.returncode == 0, ran.stderr[-3000:]
        assert ran.stdout.count("created: ") == 7, ran.stdout  # six fields, the staff group

        # Step 6: check is clean.
        check = sla.run(None, "check")
        assert check.rc == 0, str(check)
        assert check.stdout.startswith("ok:"), str(check)

        # Steps 7 and 8: `since` is today (init wrote it): a dry run only stamps fields.
        dry = sla.run(None, "sync", "--dry-run", "--format", "json")
        assert dry.rc == 0, str(dry)
        result = dry.json()
        assert result["counts"] == {"field stamps": 2}, result
        assert {w["issue"] for w in result["planned"]} == {facts["waiting"], facts["broken"]}
        assert result["closed"] == 0 and result["errors"] == []

        # Step 9: one pass writes those stamps, and no note, close or status change.
        done = sla.run(None, "sync", "--format", "json")
        assert done.rc == 0, str(done)
        waiting = server.rm.issue(facts["waiting"])
        assert waiting["status"]["name"] == "Нужен отклик"
        assert all(not j.get("notes") or "[sla:" not in j["notes"] for j in waiting["journals"])
        state = {f["name"]: f.get("value") for f in waiting["custom_fields"]}
        assert state["SLA: состояние"]
    finally:
        server.stop()
