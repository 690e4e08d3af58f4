"""`setup-script`: a Ruby script for `bin/rails runner -e production` that creates what the
configuration names and the tracker lacks (SPEC.md, "CLI").

The script looks each thing up by name when it runs and creates only what is missing: an
existing field, group or saved query is left exactly as it is (`check` says what it lacks),
so running it twice is harmless.

The saved queries (queries.py says what they hold and how they sort) are made per configured
project, or once for all projects when `redmine.projects` is empty, visible to the staff
roles: the `--staff-only-role` roles if given, else the roles the staff groups hold in the
configured projects (in any project when none is configured). With no such role yet (the
staff groups are members of no project), no query is made and the script says so: a query
public to every role would show clients the names of the SLA queues.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sup_sla_sync.adapters.redmine.queries import query_names
from sup_sla_sync.config import Settings

# The non-VIP value of the service-level list, by note language.
BASIC_VALUE = {"ru": "Базовый", "kk": "Базалық", "en": "Basic"}


def _rb(text: str) -> str:
    """A single-quoted Ruby string literal (no interpolation)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _rb_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(_rb(i) for i in items) + "]"


def setup_script(settings: Settings, staff_only_roles: Sequence[str] = ()) -> str:
    """The script; with `staff_only_roles`, the three SLA fields it creates are visible to
    those roles only (administrators always see them), and the fields that grant service
    (service level, channel) are read-only for every other role: Redmine's workflow field
    permissions, one rule per tracker and status, so that a client can neither file nor
    edit an issue with them (SPEC.md, principle 8; the tool does not believe a client's
    value either way)."""
    fields = settings.fields
    level_values = [*settings.service_level.vip_values]
    basic = BASIC_VALUE.get(settings.notes.language, "Basic")
    if basic not in level_values:
        level_values.append(basic)
    channel_values = [*settings.channels.online_assistant, *settings.channels.official_letter]
    category_values = [settings.category_values.consultation, settings.category_values.defect]
    wanted = [
        (fields.service_level, "list", level_values, False),
        (fields.channel, "list", channel_values, False),
        (fields.category, "list", category_values, False),
        (fields.first_response_due, "string", [], True),
        (fields.resolution_due, "string", [], True),
        (fields.sla_state, "string", [], True),
    ]
    trackers = [*settings.trackers.consultation, *settings.trackers.defect]
    groups = [*settings.staff.groups, *settings.service_level.vip_groups]
    queries = query_names(settings.notes.language)
    lines = [
        "# sup-sla-sync setup: creates the custom fields, groups and the agents' saved issue",
        "# queries the configuration names and the tracker lacks; changes nothing that exists",
        "# (running it twice is harmless).",
        "#   cd /path/to/redmine && bin/rails runner -e production this-script.rb",
        "ActiveRecord::Base.logger = nil",
        f"PROJECTS = {_rb_list(settings.redmine.projects)}",
        f"TRACKERS = {_rb_list(trackers)}",
        f"GROUPS = {_rb_list(dict.fromkeys(groups))}",
        f"STAFF_ONLY_ROLES = {_rb_list(staff_only_roles)}",
        f"GRANTING = {_rb_list([fields.service_level, fields.channel])}  # read-only for clients",
        "FIELDS = [  # name, format, list values, an SLA field (staff-only if asked)",
        *(
            f"  [{_rb(name)}, {_rb(fmt)}, {_rb_list(values)}, {'true' if sla else 'false'}],"
            for name, fmt, values, sla in wanted
        ),
        "]",
        f"STAFF_GROUPS = {_rb_list(settings.staff.groups)}",
        f"VIP_VALUES = {_rb_list(settings.service_level.vip_values)}",
        f"LEVEL_FIELD = {_rb(fields.service_level)}",
        f"FIRST_FIELD = {_rb(fields.first_response_due)}",
        f"RESOLUTION_FIELD = {_rb(fields.resolution_due)}",
        f"STATE_FIELD = {_rb(fields.sla_state)}",
        "QUERIES = [  # key, name (notes.language)",
        *(f"  [{_rb(key)}, {_rb(name)}]," for key, name in queries.items()),
        "]",
        _BODY,
        _QUERIES,
    ]
    return "\n".join(lines)


_BODY = r"""
def stop(message)
  warn "setup: #{message}"
  exit 1
end

projects = Project.where(identifier: PROJECTS).to_a
missing = PROJECTS - projects.map(&:identifier)
stop "no project #{missing.join(', ')} (redmine.projects)" unless missing.empty?
trackers = Tracker.where(name: TRACKERS).to_a
missing = TRACKERS - trackers.map(&:name)
unless missing.empty?
  warn "setup: no tracker #{missing.join(', ')}: the fields are not enabled for it"
end
roles = Role.where(name: STAFF_ONLY_ROLES).to_a
missing = STAFF_ONLY_ROLES - roles.map(&:name)
stop "no role #{missing.join(', ')} (--staff-only-role)" unless missing.empty?

ActiveRecord::Base.transaction do
  FIELDS.each do |name, format, values, sla|
    if IssueCustomField.find_by(name: name)
      puts "exists: custom field #{name}"
      next
    end
    field = IssueCustomField.new(name: name, field_format: format)
    field.possible_values = values if format == 'list'
    field.is_filter = true
    field.is_for_all = PROJECTS.empty?  # redmine.projects = [] means every project
    field.projects = projects unless PROJECTS.empty?
    field.trackers = trackers
    if sla && !roles.empty?
      field.visible = false
      field.roles = roles
    end
    field.save!
    puts "created: custom field #{name} (#{format})"
  end
  if roles.empty?
    puts "note: no --staff-only-role: #{GRANTING.join(', ')} stay editable for every role " \
         "(the tool believes them from staff only)"
  else
    client_roles = Role.givable.to_a - roles
    rule_trackers = trackers.empty? ? Tracker.all.to_a : trackers
    GRANTING.each do |name|
      field = IssueCustomField.find_by(name: name)
      next unless field
      made = 0
      client_roles.each do |role|
        rule_trackers.each do |tracker|
          IssueStatus.all.each do |status|
            rule = WorkflowPermission.find_or_initialize_by(
              role_id: role.id, tracker_id: tracker.id, old_status_id: status.id,
              field_name: field.id.to_s
            )
            if rule.persisted?
              warn "setup: #{name} is #{rule.rule} for #{role.name} in #{status.name}: kept" \
                unless rule.rule == 'readonly'
              next
            end
            rule.rule = 'readonly'
            rule.save!
            made += 1
          end
        end
      end
      who = client_roles.map(&:name).join(', ')
      if made.zero?
        puts "exists: read-only #{name} for #{who}"
      else
        puts "created: read-only #{name} for #{who} (#{made} workflow rules)"
      end
    end
  end
  GROUPS.each do |name|
    if Group.find_by(lastname: name)
      puts "exists: group #{name}"
      next
    end
    Group.create!(lastname: name)
    puts "created: group #{name}"
  end
end
"""

# Runs after _BODY: the fields and groups exist by now (or the script stopped).
_QUERIES = r"""
owner = User.active.where(admin: true).order(:id).first
stop "no active administrator to own the saved queries" unless owner
User.current = owner  # the fields' visibility and the filters available are judged as owner
staff_roles =
  if roles.empty?
    members = Member.where(user_id: Group.where(lastname: STAFF_GROUPS).pluck(:id))
    members = members.where(project_id: projects.map(&:id)) unless PROJECTS.empty?
    members.includes(:roles).flat_map(&:roles).uniq
  else
    roles
  end
level = IssueCustomField.find_by(name: LEVEL_FIELD)
first = IssueCustomField.find_by(name: FIRST_FIELD)
resolution = IssueCustomField.find_by(name: RESOLUTION_FIELD)
state = IssueCustomField.find_by(name: STATE_FIELD)
# Redmine keeps three sort criteria and compares the level field's text: the level goes first
# (descending) only when every VIP value sorts after every other value (queries.py).
others = level ? level.possible_values - VIP_VALUES : []
level_first = level && !VIP_VALUES.empty? &&
  others.all? { |o| VIP_VALUES.all? { |v| v > o } }
sort =
  if level_first
    [["cf_#{level.id}", 'desc'], ['priority', 'desc'], [first && "cf_#{first.id}", 'asc']]
  else
    [['priority', 'desc'], [first && "cf_#{first.id}", 'asc'],
     [resolution && "cf_#{resolution.id}", 'asc']]
  end
sort = sort.reject { |column, _| column.nil? }
group_by = level && level.field_format == 'list' ? "cf_#{level.id}" : nil
columns = ['subject', 'status', 'priority', 'assigned_to'] +
  [first, resolution, state].compact.map { |f| "cf_#{f.id}" }
scopes = PROJECTS.empty? ? [nil] : projects
if staff_roles.empty?
  warn "setup: no staff role: the staff groups (#{STAFF_GROUPS.join(', ')}) are members of " \
       "no configured project; add them with their role (or give --staff-only-role) and run " \
       "this script again: the saved queries are not created"
  scopes = []
else
  puts "note: saved queries visible to #{staff_roles.map(&:name).join(', ')}; sorted by " \
       "#{level_first ? 'level, ' : ''}priority, first response due" \
       "#{level_first ? '' : ', resolution due'}" \
       "#{group_by ? ', grouped by level' : ''}"
end
ActiveRecord::Base.transaction do
  scopes.each do |project|
    where = project ? "project #{project.identifier}" : 'all projects'
    QUERIES.each do |key, name|
      if IssueQuery.where(project_id: project&.id, name: name).exists?
        puts "exists: saved query #{name} (#{where})"
        next
      end
      query = IssueQuery.new(name: name, project: project, user: owner)
      query.visibility = Query::VISIBILITY_ROLES
      query.roles = staff_roles
      query.filters = {}
      query.add_filter('status_id', 'o', [''])
      query.add_filter('assigned_to_id', '=', ['me']) if key == 'mine'
      if key == 'breached'
        filter = state && "cf_#{state.id}"
        query.add_filter(filter, '=', ['breached']) if filter
        unless filter && query.has_filter?(filter)
          warn "setup: saved query #{name} (#{where}) not created: the custom field " \
               "#{STATE_FIELD} is missing, not enabled there or not used as a filter " \
               "(tick 'Used as a filter')"
          next
        end
      end
      query.column_names = columns
      query.sort_criteria = sort
      query.group_by = group_by
      query.save!
      puts "created: saved query #{name} (#{where})"
    end
  end
end
"""
