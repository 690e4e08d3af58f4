"""Configuration: a TOML file plus SUP_SLA_* environment overrides (SPEC.md, "Configuration").

Every problem is raised as ConfigError naming the key, so the CLI can exit 2 with a
message instead of a traceback.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Sequence
from datetime import date, time
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from sup_sla_sync import config_rules
from sup_sla_sync.core.calendar import CalendarRules
from sup_sla_sync.core.faq import Article
from sup_sla_sync.core.model import StatusRole
from sup_sla_sync.core.notekinds import DEFAULT_NOTIFY_EVENTS, NOTIFY_EVENTS
from sup_sla_sync.core.rules import Rules
from sup_sla_sync.core.texts import LANGUAGES
from sup_sla_sync.errors import ConfigError
from sup_sla_sync.logs import display_url, mask_url

DEFAULT_CONFIG_PATH = "sup-sla-sync.toml"
CONFIG_ENV = "SUP_SLA_CONFIG"
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RedmineConfig(_Section):
    url: str = ""  # no default: a key goes only to the host the admin names
    api_key: SecretStr = SecretStr("")
    projects: list[str] = ["edoc"]
    # Finite and at most an hour: `inf` would let one silent request hold a pass forever.
    timeout_seconds: float = Field(30, gt=0, le=3600, allow_inf_nan=False)
    verify_tls: bool = True

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value == "":
            return value  # not configured: whatever needs the tracker says so (exit 2)
        if not re.match(r"^https?://[^\s/@]*@?[^\s/@]+(/|$)", value):
            raise ValueError("must be an http:// or https:// URL")
        if re.search(r"[\s\x00-\x1f\x7f]", value) or "?" in value or "#" in value:
            raise ValueError("must be a plain base URL: no spaces, query or fragment")
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 (a bad port raises here)
        except ValueError as exc:
            raise ValueError(f"is not a valid URL ({exc})") from None
        if not parts.hostname:
            raise ValueError("has no host")
        return value.rstrip("/")

    @property
    def shown_url(self) -> str:
        """The URL as every output shows it: without user info (SPEC.md, principle 7)."""
        return display_url(self.url)


class CalendarConfig(_Section):
    timezone: str = "Asia/Almaty"
    work_start: time = time(9, 0)
    work_end: time = time(18, 0)
    country: str = "KZ"
    extra_holidays: list[date] = []
    extra_workdays: list[date] = []
    # "24x7": every minute of every day is working time (hours, weekends, holidays ignored).
    mode: Literal["hours", "24x7"] = "hours"

    @field_validator("work_start", "work_end", mode="before")
    @classmethod
    def _hhmm(cls, value: Any) -> Any:
        if isinstance(value, time):
            return value
        match = _HHMM.match(str(value))
        if not match:
            raise ValueError(f"{value!r} is not a time of day as HH:MM (00:00 to 23:59)")
        return time(int(match[1]), int(match[2]))

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from sup_sla_sync.core.calendar import load_zone

        load_zone(value)  # raises ValueError naming the zone
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        import holidays

        if value.upper() not in holidays.list_supported_countries():
            raise ValueError(f"{value!r} is not a country the holidays package knows")
        return value.upper()

    @model_validator(mode="after")
    def _hours(self) -> CalendarConfig:
        if self.work_start >= self.work_end:
            raise ValueError("work_start must be before work_end")
        both = set(self.extra_holidays) & set(self.extra_workdays)
        if both:
            days = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"{days} is in both extra_holidays and extra_workdays")
        return self


class StatusesConfig(_Section):
    new: list[str] = ["New"]
    in_progress: list[str] = ["In Progress"]
    awaiting_client: list[str] = ["Feedback"]
    on_hold: list[str] = []  # e.g. ["With development"]: paused, never auto-closed
    resolved: list[str] = ["Resolved"]
    closed: list[str] = ["Closed", "Rejected"]
    reopen_to: str = "In Progress"
    auto_close_to: str = "Closed"


class TrackersConfig(_Section):
    consultation: list[str] = ["Support"]
    defect: list[str] = ["Bug"]


class PrioritiesConfig(_Section):
    normal: list[str] = ["Low", "Normal"]
    urgent: list[str] = ["High", "Urgent"]
    immediate: list[str] = ["Immediate"]


class FieldsConfig(_Section):
    service_level: str = "SLA level"
    channel: str = "Channel"
    category: str = "Category"
    first_response_due: str = "SLA first response due"
    resolution_due: str = "SLA resolution due"
    sla_state: str = "SLA state"


class CategoryValuesConfig(_Section):
    consultation: str = "Consultation"
    defect: str = "Defect"


class ServiceLevelConfig(_Section):
    vip_values: list[str] = ["VIP"]
    vip_groups: list[str] = []
    vip_projects: list[str] = []


class ChannelsConfig(_Section):
    online_assistant: list[str] = ["Online assistant"]
    official_letter: list[str] = ["Official letter"]


class StaffConfig(_Section):
    groups: list[str] = ["Support"]
    lead: str = ""
    # Redmine's Anonymous user (mail from an unknown sender, the notes of deleted users) is
    # a client unless the desk says its notes are staff's (SPEC.md, principle 8).
    anonymous_is_staff: bool = False


class FirstResponseTargets(_Section):
    basic_online_assistant: int = Field(15, gt=0, le=525_600)
    basic_other: int = Field(540, gt=0, le=525_600)
    vip_online_assistant: int = Field(15, gt=0, le=525_600)
    vip_normal: int = Field(120, gt=0, le=525_600)
    vip_urgent: int = Field(60, gt=0, le=525_600)
    vip_immediate: int = Field(30, gt=0, le=525_600)


class ResolutionTargets(_Section):
    basic: int = Field(1080, gt=0, le=525_600)
    vip: int = Field(540, gt=0, le=525_600)
    vip_official_letter: int = Field(1080, gt=0, le=525_600)


class UpdateTargets(_Section):
    """`[targets.update]`: the next public staff note while in work, working minutes by
    level; 0 (the default, for both) is no update clock for that level."""

    basic: int = Field(0, ge=0, le=525_600)
    vip: int = Field(0, ge=0, le=525_600)


class TargetsConfig(_Section):
    first_response: FirstResponseTargets = FirstResponseTargets()
    resolution: ResolutionTargets = ResolutionTargets()
    update: UpdateTargets = UpdateTargets()


class RemindersConfig(_Section):
    at: list[float] = [0.75]

    @field_validator("at")
    @classmethod
    def _fractions(cls, value: list[float]) -> list[float]:
        for fraction in value:
            if not 0 < fraction < 1:
                raise ValueError(f"{fraction} is not a fraction between 0 and 1 (exclusive)")
        return sorted(set(value))


class AutoCloseConfig(_Section):
    enabled: bool = True
    after_working_hours: float = Field(8, gt=0, le=10_000)
    warn_before_working_hours: float = Field(0, ge=0, le=10_000)

    @model_validator(mode="after")
    def _warning_before_the_close(self) -> AutoCloseConfig:
        if self.warn_before_working_hours >= self.after_working_hours:
            raise ValueError(
                "warn_before_working_hours must be less than after_working_hours "
                "(the warning comes that long before the close)"
            )
        return self


class SyncConfig(_Section):
    since: date | None = None  # go-live: issues created before this local date get fields only

    @field_validator("since", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


class NotesConfig(_Section):
    language: str = "ru"

    @field_validator("language", mode="before")
    @classmethod
    def _known_language(cls, value: Any) -> Any:
        # The languages are the files of core/texts: a new file is a new accepted value.
        if value not in LANGUAGES:
            allowed = ", ".join(repr(language) for language in LANGUAGES)
            raise ValueError(f"{value!r} is not a note language; expected one of {allowed}")
        return value


class ClassifyConfig(_Section):
    apply_priority: bool = False


class IntakeConfig(_Section):
    scope_check: bool = True
    language_check: bool = True
    identity_check: bool = True
    request_identity: bool = False


class FaqConfig(_Section):
    """`[faq]`: help-centre suggestions (read by adapters/faq_file.py)."""

    file: str = ""  # TOML of [[article]] title, url, keywords; relative to the config's folder
    max_suggestions: int = Field(3, ge=1, le=20)


def _url_shape(url: SecretStr) -> SecretStr:
    """`scheme://…` at least; whether Apprise knows the scheme is `check`'s and the
    service's question (adapters/notify.py), so loading stays cheap."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://\S", url.get_secret_value().strip()):
        raise ValueError(
            f"{mask_url(url.get_secret_value())} is not an Apprise URL (scheme://…, e.g. "
            "json://host/path or mailto://user:password@host)"
        )
    return url


class AcknowledgeConfig(_Section):
    """`[acknowledge]`: the public receipt for each new request (core/acknowledge.py)."""

    enabled: bool = False


class NotifyConfig(_Section):
    """`[notify]`: events sent outside Redmine through Apprise (adapters/notify.py)."""

    urls: list[Annotated[SecretStr, AfterValidator(_url_shape)]] = []  # secrets: shown masked
    # The events and their notes: the registry of note kinds (core/notekinds.py).
    events: list[Literal[NOTIFY_EVENTS]] = list(DEFAULT_NOTIFY_EVENTS)  # type: ignore[valid-type]

    @field_serializer("urls", when_used="json")
    def _masked_urls(self, value: list[SecretStr]) -> list[str]:
        return [mask_url(url.get_secret_value()) for url in value]


class EscalationConfig(_Section):
    """`[escalation]`: private notes after a breach, one per level (SPEC.md, "Escalation")."""

    after_breach_working_minutes: list[int] = []  # ascending; level N is the N-th
    logins: list[str] = []  # mentioned and added as watchers at every level

    @field_validator("after_breach_working_minutes")
    @classmethod
    def _ascending(cls, value: list[int]) -> list[int]:
        for minutes in value:
            if not 0 < minutes <= 525_600:
                raise ValueError(f"{minutes} is not a number of working minutes (1 to 525600)")
        if any(a >= b for a, b in pairwise(value)):
            raise ValueError(f"{value} must be strictly ascending (level 1 first)")
        return value


_MINUTES = Field(None, gt=0, le=525_600)


class PolicyFirstResponseTargets(_Section):
    """Any subset of `[targets.first_response]`; the rest from there."""

    basic_online_assistant: int | None = _MINUTES
    basic_other: int | None = _MINUTES
    vip_online_assistant: int | None = _MINUTES
    vip_normal: int | None = _MINUTES
    vip_urgent: int | None = _MINUTES
    vip_immediate: int | None = _MINUTES


class PolicyResolutionTargets(_Section):
    """Any subset of `[targets.resolution]`; the rest from there."""

    basic: int | None = _MINUTES
    vip: int | None = _MINUTES
    vip_official_letter: int | None = _MINUTES


class PolicyUpdateTargets(_Section):
    """Any subset of `[targets.update]` (0: off under this policy); the rest from there."""

    basic: int | None = Field(None, ge=0, le=525_600)
    vip: int | None = Field(None, ge=0, le=525_600)


class PolicyTargets(_Section):
    first_response: PolicyFirstResponseTargets = PolicyFirstResponseTargets()
    resolution: PolicyResolutionTargets = PolicyResolutionTargets()
    update: PolicyUpdateTargets = PolicyUpdateTargets()


class PolicyCalendar(CalendarConfig):
    """`[policies.calendar]`: any key of `[calendar]`, merged over it (checked merged)."""

    timezone: str | None = None  # type: ignore[assignment]
    work_start: time | None = None  # type: ignore[assignment]
    work_end: time | None = None  # type: ignore[assignment]
    country: str | None = None  # type: ignore[assignment]
    extra_holidays: list[date] | None = None  # type: ignore[assignment]
    extra_workdays: list[date] | None = None  # type: ignore[assignment]
    mode: Literal["hours", "24x7"] | None = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _hours(self) -> PolicyCalendar:
        return self  # the hours are checked once merged over [calendar] (Settings)


class PolicyConfig(_Section):
    """`[[policies]]`: a contract; the first whose matchers take an issue applies."""

    name: str = Field(min_length=1)
    projects: list[str] = []  # project identifiers
    groups: list[str] = []  # Redmine groups of the author
    field_values: list[str] = []  # values of the service-level field
    targets: PolicyTargets = PolicyTargets()
    calendar: PolicyCalendar = PolicyCalendar()

    @model_validator(mode="after")
    def _matches_something(self) -> PolicyConfig:
        if not (self.projects or self.groups or self.field_values):
            raise ValueError(
                f"policy {self.name!r} matches no issue: give projects, groups or field_values"
            )
        return self


class DaemonConfig(_Section):
    # How often to look for changes; the instants of known issues wake `run` in between.
    interval_minutes: float = Field(1, gt=0, le=1440)
    full_scan_minutes: float = Field(60, gt=0, le=10_080)  # a full listing at least this often
    state_dir: str = ""  # persistent cache (SQLite) between runs; relative to this file's folder
    heartbeat_file: str = ""  # written after every pass attempt; "" = none
    metrics_port: int = Field(0, ge=0, le=65535)  # > 0: `run` serves /metrics and /healthz
    metrics_host: str = "127.0.0.1"  # loopback by default: the scrape is not for the world


class LockConfig(_Section):
    """`[lock]`: one pass at a time per configuration (see lock.py and the README)."""

    backend: Literal["file", "postgres", "redis"] = "file"
    path: str = "sup-sla-sync.lock"  # file: relative to the configuration file's folder
    url: str = ""  # postgres: postgresql://…; redis: redis://, rediss:// or unix://
    name: str = ""  # shared by every instance; "" = the tracker URL and the sorted projects
    ttl_seconds: float = Field(60, ge=3, le=3600)  # redis: the key's life, renewed at 1/3

    _SCHEMES: ClassVar[dict[str, tuple[str, ...]]] = {
        "postgres": ("postgresql", "postgres"),
        "redis": ("redis", "rediss", "unix"),
    }

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if value != value.strip() or any(not c.isprintable() for c in value):
            raise ValueError("must be printable, without leading or trailing spaces")
        if len(value) > 200:
            raise ValueError("at most 200 characters")
        return value

    @field_validator("url")
    @classmethod
    def _url_fits_backend(cls, value: str, info: ValidationInfo) -> str:
        backend = info.data.get("backend")
        if not value or backend not in cls._SCHEMES:
            return value
        schemes = cls._SCHEMES[backend]
        shown = cls.mask(value)
        parts = urlsplit(value)
        if parts.scheme not in schemes or not (parts.netloc or parts.path):
            wanted = " or ".join(f"{s}://…" for s in schemes)
            raise ValueError(f"{shown!r} is not a {wanted} URL (backend {backend!r})")
        try:
            parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
        except ValueError:
            raise ValueError(f"{shown!r} has an invalid port") from None
        return value

    @model_validator(mode="after")
    def _url_needed(self) -> LockConfig:
        if self.backend != "file" and not self.url:
            raise ValueError(f"backend {self.backend!r} needs lock.url")
        return self

    @property
    def url_password(self) -> str:
        """The password in `url` as written there (user info or a `password=` parameter)."""
        match = re.match(r"[a-z][a-z0-9+.-]*://[^/?#@]*?:([^/?#]*)@", self.url)
        if match and match[1]:
            return match[1]
        match = re.search(r"[?&]password=([^&#]*)", self.url)
        return match[1] if match else ""

    @property
    def shown_url(self) -> str:
        """`url` with its password masked: what messages and `config` show."""
        return self.mask(self.url)

    @staticmethod
    def mask(url: str) -> str:
        shown = re.sub(r"^([a-z][a-z0-9+.-]*://[^/?#@]*?:)[^/?#]*@", r"\1***@", url)
        return re.sub(r"([?&]password=)[^&#]*", r"\1***", shown)

    @field_serializer("url", when_used="json")
    def _masked_url(self, value: str) -> str:
        return self.shown_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SUP_SLA_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    redmine: RedmineConfig = RedmineConfig()
    calendar: CalendarConfig = CalendarConfig()
    statuses: StatusesConfig = StatusesConfig()
    trackers: TrackersConfig = TrackersConfig()
    priorities: PrioritiesConfig = PrioritiesConfig()
    fields: FieldsConfig = FieldsConfig()
    category_values: CategoryValuesConfig = CategoryValuesConfig()
    service_level: ServiceLevelConfig = ServiceLevelConfig()
    channels: ChannelsConfig = ChannelsConfig()
    staff: StaffConfig = StaffConfig()
    targets: TargetsConfig = TargetsConfig()
    reminders: RemindersConfig = RemindersConfig()
    auto_close: AutoCloseConfig = AutoCloseConfig()
    notes: NotesConfig = NotesConfig()
    classify: ClassifyConfig = ClassifyConfig()
    intake: IntakeConfig = IntakeConfig()
    faq: FaqConfig = FaqConfig()
    acknowledge: AcknowledgeConfig = AcknowledgeConfig()
    notify: NotifyConfig = NotifyConfig()
    sync: SyncConfig = SyncConfig()
    daemon: DaemonConfig = DaemonConfig()
    lock: LockConfig = LockConfig()
    escalation: EscalationConfig = EscalationConfig()
    policies: list[PolicyConfig] = []  # contract policies; the first match wins

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's values arrive as init arguments; the environment overrides them.
        return (env_settings, init_settings)

    @model_validator(mode="after")
    def _roles_do_not_overlap(self) -> Settings:
        _unique_roles("statuses", {r.value: getattr(self.statuses, r.value) for r in StatusRole})
        _unique_roles("trackers", self.trackers.model_dump())
        _unique_roles("priorities", self.priorities.model_dump())
        _unique_roles("channels", self.channels.model_dump())
        statuses = config_rules.status_rules_from(self.statuses)
        role = statuses.role_of(self.statuses.reopen_to)
        if role not in (StatusRole.NEW, StatusRole.IN_PROGRESS):
            raise ValueError(
                f"statuses.reopen_to: {self.statuses.reopen_to!r} must be one of "
                "statuses.new or statuses.in_progress"
            )
        role = statuses.role_of(self.statuses.auto_close_to)
        if role not in (StatusRole.RESOLVED, StatusRole.CLOSED):
            raise ValueError(
                f"statuses.auto_close_to: {self.statuses.auto_close_to!r} must be one of "
                "statuses.resolved or statuses.closed"
            )
        if not self.statuses.awaiting_client and self.auto_close.enabled:
            raise ValueError("statuses.awaiting_client: empty, but auto_close.enabled is true")
        if self.category_values.consultation == self.category_values.defect:
            raise ValueError("category_values.defect: the same value as consultation")
        return self

    @model_validator(mode="after")
    def _policies_are_sound(self) -> Settings:
        names: dict[str, int] = {}
        for index, policy in enumerate(self.policies):
            if policy.name in names:
                raise ValueError(
                    f"policies[{index}].name: {policy.name!r} is also the name of "
                    f"policies[{names[policy.name]}]; each policy needs its own name"
                )
            names[policy.name] = index
            self.policy_calendar_config(index)  # raises naming policies[N].calendar.<key>
        return self

    def calendar_rules(self) -> CalendarRules:
        """`[calendar]` as the core takes it (config_rules.calendar_rules_from)."""
        return config_rules.calendar_rules_from(self.calendar)

    def rules(self, faq: Sequence[Article] = ()) -> Rules:
        """The frozen rules the core applies (config_rules.rules_from)."""
        return config_rules.rules_from(self, faq)

    def policy_calendar_config(self, index: int) -> CalendarConfig | None:
        """`policies[index]`'s calendar keys merged over `[calendar]`, checked as one
        `[calendar]` would be; None when the policy gives none."""
        policy = self.policies[index]
        own = policy.calendar.model_dump(exclude_none=True)
        if not own:
            return None
        try:
            return CalendarConfig(**{**self.calendar.model_dump(), **own})
        except ValidationError as exc:
            where = f"policies[{index}].calendar"
            raise ValueError(
                "; ".join(
                    f"{'.'.join([where, *map(str, e['loc'])])}: "
                    f"{e['msg'].removeprefix('Value error, ')} (policy {policy.name!r})"
                    for e in exc.errors()
                )
            ) from None

    def redacted(self) -> dict[str, Any]:
        """The effective configuration, the API key masked (for `config` output)."""
        data = self.model_dump(mode="json")
        data["redmine"]["api_key"] = "***" if self.redmine.api_key.get_secret_value() else ""
        data["redmine"]["url"] = self.redmine.shown_url
        return data


def _unique_roles(section: str, roles: dict[str, list[str]]) -> None:
    seen: dict[str, str] = {}
    for role, names in roles.items():
        for name in names:
            if name in seen and seen[name] != role:
                raise ValueError(
                    f"{section}.{role}: {name!r} is also in {section}.{seen[name]}; "
                    "a name can have one role only"
                )
            seen[name] = role


def resolve_config_path(path: str | os.PathLike[str] | None) -> tuple[Path, bool]:
    """The path to read, and whether the user named it (a named file must exist)."""
    if path is not None:
        return Path(path), True
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]), True
    return Path(DEFAULT_CONFIG_PATH), False


def load_settings(
    path: str | os.PathLike[str] | None = None, *, require_file: bool = False
) -> Settings:
    """Read the TOML file (if any) and the environment; raise ConfigError naming the key.

    `require_file`: no `--config`, no SUP_SLA_CONFIG and no ./sup-sla-sync.toml is an error
    naming the places looked at (the tool never falls back to a built-in tracker).
    """
    file, named = resolve_config_path(path)
    if require_file and not named and not file.exists():
        raise ConfigError(
            f"no configuration: no --config, no ${CONFIG_ENV}, and no {file} in "
            f"{Path.cwd()}; write one with `sup-sla-sync init --url URL`"
        )
    data: dict[str, Any] = {}
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{file}: cannot be read: {exc}") from None
    elif named:
        raise ConfigError(f"configuration file not found: {file}")
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, file if file.exists() else None, data)) from None
    except ValueError as exc:  # raised by pydantic-settings for unparsable env values
        raise ConfigError(f"environment: {exc}") from None


def _policy_name(loc: Sequence[int | str], data: Any) -> str | None:
    """The name of the `[[policies]]` entry an error is in, to say which one it is."""
    if len(loc) < 2 or loc[0] != "policies" or not isinstance(loc[1], int):
        return None
    try:
        name = data["policies"][loc[1]]["name"]
    except (KeyError, IndexError, TypeError):
        return None
    return name if isinstance(name, str) and name else None


def _key(loc: Sequence[int | str]) -> str:
    """`policies[1].calendar.work_start` from ("policies", 1, "calendar", "work_start")."""
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key


def _describe(exc: ValidationError, file: Path | None, data: Any = None) -> str:
    lines = []
    for error in exc.errors():
        key = _key(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        if (name := _policy_name(error["loc"], data)) and repr(name) not in message:
            message += f" (policy {name!r})"
        if key:
            lines.append(f"{key}: {message}")
        else:
            lines.append(message)
    where = f"{file}: " if file else ""
    return where + "invalid configuration:\n  " + "\n  ".join(lines)
