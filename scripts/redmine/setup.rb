# frozen_string_literal: true
#
# Configures a (per-run) Redmine 5.0 / 6.0 / 6.1 database for the sup-sla-sync
# integration tests.  Run it with
#
#   cd /usr/share/redmine && TZ=UTC DATABASE_URL=sqlite3:/abs/db.sqlite3 \
#     bin/rails runner -e production /path/to/setup.rb
#
# Idempotent: running it twice against the same database changes nothing
# (except re-saving a few settings).  Prints exactly ONE JSON line on stdout
# (api keys, ids by name, passwords, custom-field visibility); everything
# else goes to stderr.

require 'json'

PASSWORD = 'sla-test-pass' # every test user gets this password

def die(msg)
  warn "setup.rb: #{msg}"
  exit 1
end

ActiveRecord::Base.logger = nil
# Do not try to deliver mail while we create users (there is no MTA).
ActionMailer::Base.perform_deliveries = false

# Rails 6.1 (Redmine 5.0) has it on the connection, Rails 7.2 (Redmine 6) on the pool.
conn = ActiveRecord::Base.connection
migrations = conn.respond_to?(:migration_context) ? conn.migration_context : ActiveRecord::Base.connection_pool.migration_context
if migrations.needs_migration?
  die 'the database has pending migrations (run bin/rake db:migrate on it first)'
end

# Debian's dbconfig normally loads the default data; load it ourselves if it
# did not (fresh empty DB), otherwise verify that it is what we expect.
if Redmine::DefaultData::Loader.no_data?
  warn 'setup.rb: default data missing, loading it (en)'
  Redmine::DefaultData::Loader.load('en')
end

def find!(klass, name)
  klass.find_by(name: name) || die("#{klass.name} #{name.inspect} missing from the default data")
end

manager   = find!(Role, 'Manager')
developer = find!(Role, 'Developer')
reporter  = find!(Role, 'Reporter')

en_status_names = %w[New In\ Progress Resolved Feedback Closed Rejected]
en_statuses = en_status_names.map { |n| find!(IssueStatus, n) }
%w[Bug Feature Support].each { |n| find!(Tracker, n) }
%w[Low Normal High Urgent Immediate].each do |n|
  IssuePriority.find_by(name: n) || die("IssuePriority #{n} missing")
end

ActiveRecord::Base.transaction do
  # ---------------------------------------------------------------- settings
  Setting.rest_api_enabled = '1'
  Setting.login_required = '1'          # anonymous / bad key => 401, not an empty list
  Setting.notified_events = []          # no mail (there is no MTA anyway)
  Setting.issue_group_assignment = '1'  # issues may be assigned to a group
  Setting.default_language = 'en'

  # ------------------------------------------------------------------- roles
  # Staff may watch issues and mark issues private; private notes are already
  # viewable/settable by Developer (and Manager has every permission).
  developer.add_permission!(:view_issue_watchers, :add_issue_watchers, :set_issues_private)
  manager.permissions = manager.setable_permissions.collect(&:name)
  manager.save!
  # Clients only see the issues they authored (or that are assigned to them).
  reporter.issues_visibility = 'own'
  reporter.save!

  # ------------------------------------------------------------------- users
  def ensure_user(login, first, last, admin: false)
    u = User.find_by_login(login) || User.new
    u.login = login
    u.firstname = first
    u.lastname = last
    u.mail = "#{login}@example.test"
    u.admin = admin
    u.status = User::STATUS_ACTIVE
    u.language = 'en'
    u.mail_notification = 'none'
    u.must_change_passwd = false
    unless u.persisted? && u.check_password?(PASSWORD)
      u.password = PASSWORD
      u.password_confirmation = PASSWORD
    end
    u.save!
    u.api_key # creates the API token if missing
    u
  end

  users = {
    'sla-bot'    => ensure_user('sla-bot', 'SLA', 'Bot', admin: true),
    'agent1'     => ensure_user('agent1', 'Agent', 'One'),
    'agent2'     => ensure_user('agent2', 'Agent', 'Two'),
    'lead1'      => ensure_user('lead1', 'Lead', 'One'),
    'client1'    => ensure_user('client1', 'Client', 'One'),
    'client2'    => ensure_user('client2', 'Client', 'Two'),
    'vipclient1' => ensure_user('vipclient1', 'VIP', 'Client'),
  }

  def ensure_group(name, members)
    g = Group.find_by(lastname: name) || Group.new
    g.name = name
    g.save!
    members.each { |u| g.users << u unless g.users.include?(u) }
    g
  end

  groups = {
    'Support'     => ensure_group('Support', users.values_at('agent1', 'agent2', 'lead1')),
    'VIP clients' => ensure_group('VIP clients', [users['vipclient1']]),
    'Поддержка'   => ensure_group('Поддержка', users.values_at('agent2', 'lead1')),
  }

  # --------------------------------------------------- statuses / trackers
  def ensure_status(name, closed)
    s = IssueStatus.find_by(name: name) || IssueStatus.new(name: name)
    s.is_closed = closed
    s.save!
    s
  end

  ru_statuses = [
    ensure_status('Новая', false),
    ensure_status('В работе', false),
    ensure_status('Ожидает ответа клиента', false),
    ensure_status('Решена', false),
    ensure_status('Закрыта', true),
    ensure_status('Отклонена', true),
    # statuses.on_hold: waits on development (resolution paused, never auto-closed)
    ensure_status('Передано в разработку', false),
  ]
  ru_new = ru_statuses[0]
  en_statuses << ensure_status('With development', false)

  def ensure_tracker(name, default_status)
    t = Tracker.find_by(name: name) || Tracker.new(name: name)
    t.default_status = default_status
    t.is_in_roadmap = false
    t.save!
    t
  end

  bug     = Tracker.find_by!(name: 'Bug')
  feature = Tracker.find_by!(name: 'Feature')
  support = Tracker.find_by!(name: 'Support')
  konsult = ensure_tracker('Консультация', ru_new)
  oshibka = ensure_tracker('Ошибка', ru_new)

  def ensure_priority(name)
    p = IssuePriority.find_by(name: name) || IssuePriority.new(name: name)
    p.active = true
    p.save!
    p
  end
  %w[Обычный Срочный Немедленный].each { |n| ensure_priority(n) }

  # ------------------------------------------------------------- workflows
  # Transition from old_status_id 0 == "new issue": lets staff (and admin,
  # who gets the union of all roles' workflows) create issues directly in any
  # status.
  def allow(role, tracker, from, to)
    from.each do |os|
      to.each do |ns|
        next if os && os.id == ns.id

        WorkflowTransition.find_or_create_by!(
          role_id: role.id, tracker_id: tracker.id,
          old_status_id: os ? os.id : 0, new_status_id: ns.id,
          author: false, assignee: false
        )
      end
    end
  end

  en = en_statuses.index_by(&:name)
  [bug, feature, support].each do |t|
    [manager, developer].each { |r| allow(r, t, [nil] + en_statuses, en_statuses) }
    # Reporter: the Redmine defaults (open -> Closed, Resolved -> Feedback)
    allow(reporter, t, en.values_at('New', 'In Progress', 'Resolved', 'Feedback', 'With development'),
          [en['Closed']])
    allow(reporter, t, [en['Resolved']], [en['Feedback']])
  end
  ru = ru_statuses.index_by(&:name)
  [konsult, oshibka].each do |t|
    [manager, developer].each { |r| allow(r, t, [nil] + ru_statuses, ru_statuses) }
    allow(reporter, t, ru.values_at('Новая', 'В работе', 'Ожидает ответа клиента', 'Решена',
                                    'Передано в разработку'), [ru['Закрыта']])
    allow(reporter, t, [ru['Решена']], [ru['Ожидает ответа клиента']])
  end

  # --------------------------------------------------------- custom fields
  staff_roles = [manager, developer]
  def ensure_cf(name, format, trackers, values: nil, visible: true, roles: [])
    cf = IssueCustomField.find_by(name: name) || IssueCustomField.new(name: name, field_format: format)
    die("custom field #{name} has format #{cf.field_format}, expected #{format}") if cf.field_format != format
    cf.possible_values = values if values
    cf.is_for_all = true
    cf.is_filter = true
    cf.is_required = false
    cf.editable = true
    cf.searchable = (format == 'string')
    cf.visible = visible
    cf.role_ids = visible ? [] : roles.map(&:id)
    cf.tracker_ids = trackers.map(&:id)
    cf.save!
    cf
  end

  en_trackers = [support, bug, feature]
  ru_trackers = [konsult, oshibka]
  cf_specs = [
    ['SLA level', 'list', en_trackers, %w[VIP Basic], true],
    ['Channel', 'list', en_trackers, ['Online assistant', 'Official letter', 'E-mail', 'Phone'], true],
    ['Category', 'list', en_trackers, %w[Consultation Defect], true],
    ['SLA first response due', 'string', en_trackers, nil, false],
    ['SLA resolution due', 'string', en_trackers, nil, false],
    ['SLA state', 'string', en_trackers, nil, false],
    ['Уровень обслуживания', 'list', ru_trackers, %w[VIP Базовый], true],
    ['Канал', 'list', ru_trackers, ['Онлайн-помощник', 'Официальное письмо', 'Эл. почта'], true],
    ['Категория', 'list', ru_trackers, %w[Консультация Ошибка], true],
    ['SLA срок первого ответа', 'string', ru_trackers, nil, false],
    ['SLA срок решения', 'string', ru_trackers, nil, false],
    ['SLA статус', 'string', ru_trackers, nil, false],
  ]
  cf_specs.each do |name, format, trackers, values, visible|
    ensure_cf(name, format, trackers, values: values, visible: visible, roles: staff_roles)
  end

  # -------------------------------------------------------------- projects
  def ensure_project(identifier, name, trackers)
    p = Project.find_by(identifier: identifier) || Project.new
    p.identifier = identifier if p.new_record?
    p.name = name
    p.is_public = false
    p.status = Project::STATUS_ACTIVE
    p.save!
    p.enabled_module_names = ['issue_tracking']
    p.tracker_ids = trackers.map(&:id)
    p.save!
    p
  end

  def ensure_member(project, principal, roles)
    m = Member.find_by(project_id: project.id, user_id: principal.id)
    if m
      direct = m.member_roles.select { |mr| mr.inherited_from.nil? }.map(&:role_id)
      wanted = (direct + roles.map(&:id)).uniq
      m.role_ids = wanted unless (wanted - direct).empty?
    else
      m = Member.new(project: project, principal: principal)
      m.role_ids = roles.map(&:id)
      m.save!
    end
  end

  edoc = ensure_project('edoc', 'E-DOC', [support, bug])
  ensure_member(edoc, groups['Support'], [developer])
  ensure_member(edoc, groups['VIP clients'], [reporter])
  ensure_member(edoc, users['lead1'], [manager])
  ensure_member(edoc, users['sla-bot'], [manager])
  %w[agent1 agent2].each { |l| ensure_member(edoc, users[l], [developer]) }
  %w[client1 client2 vipclient1].each { |l| ensure_member(edoc, users[l], [reporter]) }

  edoc_ru = ensure_project('edoc-ru', 'ЭДО', [konsult, oshibka])
  ensure_member(edoc_ru, groups['Поддержка'], [developer])
  ensure_member(edoc_ru, groups['VIP clients'], [reporter])
  ensure_member(edoc_ru, users['lead1'], [manager])
  ensure_member(edoc_ru, users['sla-bot'], [manager])
  ensure_member(edoc_ru, users['agent2'], [developer])
  %w[client1 client2 vipclient1].each { |l| ensure_member(edoc_ru, users[l], [reporter]) }
end

# ------------------------------------------------------------------ output
by_name = ->(rel) { rel.order(:id).each_with_object({}) { |r, h| h[r.name] = r.id } }
cf_visibility = IssueCustomField.order(:id).each_with_object({}) do |cf, h|
  h[cf.name] = cf.visible? ? 'all' : cf.roles.map(&:name).sort
end
logins = %w[sla-bot agent1 agent2 lead1 client1 client2 vipclient1]
users = logins.map { |l| User.find_by_login(l) }

out = {
  'admin_login' => 'sla-bot',
  # Redmine writes timestamps in this process' local zone (start.sh: TZ=UTC)
  'db_timezone' => ENV['TZ'].to_s.empty? ? Time.now.zone : ENV['TZ'],
  # Rails 6.1 (Redmine 5.0): ActiveRecord::Base.default_timezone; Rails 7.2: ActiveRecord.
  'default_timezone' => (ActiveRecord.respond_to?(:default_timezone) ? ActiveRecord : ActiveRecord::Base).default_timezone.to_s,
  'keys' => users.to_h { |u| [u.login, u.api_key] },
  'passwords' => users.to_h { |u| [u.login, PASSWORD] },
  'ids' => {
    'users' => users.to_h { |u| [u.login, u.id] },
    'groups' => Group.givable.order(:id).to_h { |g| [g.lastname, g.id] },
    'projects' => Project.order(:id).to_h { |p| [p.identifier, p.id] },
    'roles' => by_name.call(Role.where(builtin: 0)),
    'statuses' => by_name.call(IssueStatus),
    'trackers' => by_name.call(Tracker),
    'priorities' => by_name.call(IssuePriority.where(active: true)),
    'custom_fields' => by_name.call(IssueCustomField),
  },
  'custom_field_visibility' => cf_visibility,
}
$stdout.puts JSON.generate(out)
