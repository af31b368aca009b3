"""Regions, stores, staff and API tokens (组织与权限)."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role, scope_of, tier_of


class Region(models.Model):
    """A sales region (大区), e.g. 华东, with its regional manager(s)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


class Store(models.Model):
    """A store (门店). Tickets, purchases and store staff belong to one."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="stores", verbose_name=_("region")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    calendar = models.CharField(_("business calendar"), max_length=40, default="store")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self):
        return f"{self.code} {self.name}"


class Staff(models.Model):
    """A person who works in Kefu: their role decides what they see and may do."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    display_name = models.CharField(_("display name"), max_length=50)
    store = models.ForeignKey(
        Store,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("store"),
    )
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("region"),
    )
    work_phone = models.CharField(_("work phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self):
        return f"{self.display_name} ({self.get_role_display()})"

    @property
    def scope(self) -> str:
        return scope_of(self.role)

    @property
    def tier(self) -> str:
        return tier_of(self.role)

    @property
    def region_id_in_scope(self):
        """The region a regional manager sees (or the store's region for store roles)."""
        if self.region_id:
            return self.region_id
        return self.store.region_id if self.store_id else None

    def clean(self):

        if self.scope == "store" and not self.store_id:
            raise ValidationError({"store": _("Store staff and store managers need a store.")})
        if self.scope == "region" and not self.region_id:
            raise ValidationError({"region": _("A regional manager needs a region.")})


class ApiToken(models.Model):
    """A bearer token for the API.

    The token is `kf_<key_id>_<mac>` where mac = HMAC-SHA256(SECRET_KEY, key_id). Only key_id is
    stored: checking a token costs one indexed lookup and one HMAC, never a password hash, and
    a copy of the database alone cannot forge one. Rotating SECRET_KEY revokes every token."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_id = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=50, default="default")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.key_id})"

    @staticmethod
    def new_key_id() -> str:
        return secrets.token_hex(8)

    @staticmethod
    def mac(key_id: str) -> str:
        digest = hmac.new(
            settings.SECRET_KEY.encode(), f"kefu-api:{key_id}".encode(), hashlib.sha256
        )
        return digest.hexdigest()

    @property
    def token(self) -> str:
        return f"kf_{self.key_id}_{self.mac(self.key_id)}"

    @classmethod
    def parse(cls, token: str) -> str | None:
        """The key_id of a well-formed, authentic token, else None."""
        parts = token.split("_")
        if len(parts) != 3 or parts[0] != "kf":
            return None
        key_id, mac = parts[1], parts[2]
        if not hmac.compare_digest(mac, cls.mac(key_id)):
            return None
        return key_id
