"""Configuration: a TOML file plus SUP_SLA_* environment overrides (SPEC.md, "Configuration").

Every problem is raised as ConfigError naming the key, so the CLI can exit 2 with a
message instead of a traceback.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Sequence
from datetime import date, time
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
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

from sup_sla_sync.core.calendar import CalendarRules
from sup_sla_sync.core.faq import Article
from sup_sla_sync.core.model import Category, Channel, Priority, StatusRole
from sup_sla_sync.core.rules import (
    AutoClose,
    FieldNames,
    IntakeSwitches,
    Rules,
    StatusRules,
    TargetTable,
)
from sup_sla_sync.core.texts import LANGUAGES
from sup_sla_sync.errors import ConfigError

DEFAULT_CONFIG_PATH = "sup-sla-sync.toml"
CONFIG_ENV = "SUP_SLA_CONFIG"
E = TypeVar("E")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RedmineConfig(_Section):
    url: str = "https://sup.mitwork.kz"
    api_key: SecretStr = SecretStr("")
    projects: list[str] = ["edoc"]
    timeout_seconds: float = Field(30, gt=0)
    verify_tls: bool = True

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")


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

    def to_rules(self) -> StatusRules:
        return StatusRules(
            new=tuple(self.new),
            in_progress=tuple(self.in_progress),
            awaiting_client=tuple(self.awaiting_client),
            on_hold=tuple(self.on_hold),
            resolved=tuple(self.resolved),
            closed=tuple(self.closed),
            reopen_to=self.reopen_to,
            auto_close_to=self.auto_close_to,
        )


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


class TargetsConfig(_Section):
    first_response: FirstResponseTargets = FirstResponseTargets()
    resolution: ResolutionTargets = ResolutionTargets()


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


class DaemonConfig(_Section):
    interval_minutes: float = Field(5, gt=0, le=1440)
    heartbeat_file: str = ""  # written after every pass attempt; "" = none


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
    sync: SyncConfig = SyncConfig()
    daemon: DaemonConfig = DaemonConfig()
    lock: LockConfig = LockConfig()

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
        statuses = self.statuses.to_rules()
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

    def calendar_rules(self) -> CalendarRules:
        c = self.calendar
        return CalendarRules(
            timezone=c.timezone,
            work_start=c.work_start,
            work_end=c.work_end,
            country=c.country,
            extra_holidays=frozenset(c.extra_holidays),
            extra_workdays=frozenset(c.extra_workdays),
            mode=c.mode,
        )

    def rules(self, faq: Sequence[Article] = ()) -> Rules:
        """The frozen rules the core applies, built from these settings and the help
        centre's articles (read from `faq.file` by the caller: adapters/faq_file.py)."""
        first, resolution = self.targets.first_response, self.targets.resolution
        priorities = self.priorities.model_dump()
        return Rules(
            statuses=self.statuses.to_rules(),
            trackers=_invert(self.trackers.model_dump(), Category),
            priorities=_invert(priorities, Priority),
            priority_names={Priority(k): tuple(v) for k, v in priorities.items()},
            channels=_invert(self.channels.model_dump(), Channel),
            category_values={
                Category.CONSULTATION: self.category_values.consultation,
                Category.DEFECT: self.category_values.defect,
            },
            fields=FieldNames(**self.fields.model_dump()),
            vip_values=frozenset(self.service_level.vip_values),
            vip_projects=frozenset(self.service_level.vip_projects),
            targets=TargetTable(
                basic_online_assistant=first.basic_online_assistant,
                basic_other=first.basic_other,
                vip_online_assistant=first.vip_online_assistant,
                vip_normal=first.vip_normal,
                vip_urgent=first.vip_urgent,
                vip_immediate=first.vip_immediate,
                resolution_basic=resolution.basic,
                resolution_vip=resolution.vip,
                resolution_vip_official_letter=resolution.vip_official_letter,
            ),
            reminders=tuple(self.reminders.at),
            auto_close=AutoClose(
                self.auto_close.enabled,
                self.auto_close.after_working_hours,
                self.auto_close.warn_before_working_hours,
            ),
            since=self.sync.since,
            intake=IntakeSwitches(frozenset(k for k, on in self.intake.model_dump().items() if on)),
            language=self.notes.language,
            apply_priority=self.classify.apply_priority,
            faq=tuple(faq) if self.faq.file else (),
            max_suggestions=self.faq.max_suggestions,
        )

    def redacted(self) -> dict[str, Any]:
        """The effective configuration, the API key masked (for `config` output)."""
        data = self.model_dump(mode="json")
        data["redmine"]["api_key"] = "***" if self.redmine.api_key.get_secret_value() else ""
        return data


def _invert(roles: dict[str, list[str]], enum: Callable[[str], E]) -> dict[str, E]:
    return {name: enum(role) for role, names in roles.items() for name in names}


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


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read the TOML file (if any) and the environment; raise ConfigError naming the key."""
    file, named = resolve_config_path(path)
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
        raise ConfigError(_describe(exc, file if file.exists() else None)) from None
    except ValueError as exc:  # raised by pydantic-settings for unparsable env values
        raise ConfigError(f"environment: {exc}") from None


def _describe(exc: ValidationError, file: Path | None) -> str:
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        if key:
            lines.append(f"{key}: {message}")
        else:
            lines.append(message)
    where = f"{file}: " if file else ""
    return where + "invalid configuration:\n  " + "\n  ".join(lines)
