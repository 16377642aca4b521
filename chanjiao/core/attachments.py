"""Files on any object (issue #7, "Attachments"): 营业执照, 办学许可证 and the documents of Stage 2.

An ``Attachment`` belongs to one object through a generic relation and is scoped through it:

* who may **see** it is decided by its parent, in SQL (one subquery per parent model, never by
  loading the parents): ``readers="parent"`` — whoever sees the parent; ``readers="editors"`` —
  whoever may edit the parent, and the global readers (bureau, secretariat, leader). The city-wide
  organisation registry is readable by every business user, its licences are not: they use
  ``"editors"``.
* who may **upload** (and withdraw) is whoever may edit the parent.
* nobody **deletes** one: attachments are evidence. An editor *withdraws* it (hidden from the tab,
  row and file kept, the withdrawal audited).

``attach()`` is the one way a file gets in. It refuses — with a Chinese reason, storing nothing —
a name with path tricks or control characters, an empty or oversized file (checked from the size
before anything is read), a type outside the use's allowlist, content that does not match the
extension (detected from the bytes; OOXML is told apart by looking inside the zip), and the same
file twice on one object. The stored name is random (uuid) in a per-model folder; the user's name
is kept only for display. Files go through Django's storage API (``STORAGES["attachments"]``).
Downloads go through ``download_response()``: ``Content-Disposition: attachment``, ``nosniff``, the
content type of the detected type, and a ``download`` security event.
"""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any, ClassVar, cast

import filetype
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import Storage, storages
from django.db import models, transaction
from django.db.models import Q
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core import audit
from chanjiao.core.exports import private_download
from chanjiao.core.models import AuditedModel
from chanjiao.core.scoping import ScopedManager, ScopedQuerySet, get_scope, unscoped
from chanjiao.core.types import User

# --- what may be uploaded ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileKind:
    """A file type we accept: its extensions, the MIME type it is served with, its label."""

    code: str
    mime: str
    extensions: tuple[str, ...]
    label: str


FILE_KINDS: dict[str, FileKind] = {k.code: k for k in (
    FileKind("pdf", "application/pdf", (".pdf",), "PDF"),
    FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",),
             "Word (.docx)"),
    FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",),
             "Excel (.xlsx)"),
    FileKind("jpg", "image/jpeg", (".jpg", ".jpeg"), "JPG"),
    FileKind("png", "image/png", (".png",), "PNG"),
)}
EXTENSIONS: dict[str, str] = {ext: k.code for k in FILE_KINDS.values() for ext in k.extensions}

# The main part of an OOXML package, as named in its [Content_Types].xml. Macro-enabled documents
# (.docm, .xlsm) have other content types and are therefore refused.
OOXML_MAIN = {
    "docx": ("word/document.xml", b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
}
CONTENT_TYPES_MAX_BYTES = 1024 * 1024  # [Content_Types].xml is a few KB; more is a zip bomb
MAX_NAME_LENGTH = 120
HEAD_BYTES = 8192
WINDOWS_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                              *(f"LPT{i}" for i in range(1, 10))})
FORBIDDEN_CHARS = frozenset('/\\:*?"<>|')


@dataclass(frozen=True)
class AttachmentUse:
    """One kind of document a model accepts, e.g. ``AttachmentUse("licence", _("营业执照"))``.

    ``types``: the allowlist (codes of ``FILE_KINDS``). ``readers``: ``"parent"`` (whoever sees the
    parent) or ``"editors"`` (the parent's editors and the global readers).
    """

    kind: str
    label: Any
    types: tuple[str, ...] = ("pdf", "jpg", "png")
    readers: str = "parent"

    def __post_init__(self) -> None:
        unknown = set(self.types) - set(FILE_KINDS)
        if unknown or self.readers not in {"parent", "editors"}:
            raise ValueError(f"bad AttachmentUse {self.kind}: types {sorted(unknown)}, readers {self.readers}")

    @property
    def extensions(self) -> list[str]:
        return [ext for code in self.types for ext in FILE_KINDS[code].extensions]

    @property
    def type_labels(self) -> str:
        return "、".join(FILE_KINDS[code].label for code in self.types)


def uses_by_model() -> dict[type[models.Model], list[AttachmentUse]]:
    """Every model that accepts attachments, from the ModelUI declarations (``ModelUI(attachments=…)``)."""
    from chanjiao.core.registry import registry

    result: dict[type[models.Model], list[AttachmentUse]] = {}
    for ui in registry:
        uses = getattr(ui, "attachments", None)
        if uses:
            result.setdefault(ui.model, []).extend(uses)
    return result


def use_for(model: type[models.Model], kind: str) -> AttachmentUse | None:
    return next((u for u in uses_by_model().get(model, []) if u.kind == kind), None)


def content_type_for(model: type[models.Model] | models.Model) -> ContentType:
    # The proxy's own content type: a school's documents are not an enterprise's.
    return ContentType.objects.get_for_model(model, for_concrete_model=False)


# --- the model ---------------------------------------------------------------------------------------------------


class AttachmentQuerySet(ScopedQuerySet):
    """Scoped through the parent: one ``object_id IN (subquery)`` per parent model and reader rule."""

    def visible_to(self, user: User) -> AttachmentQuerySet:
        return self._through_parents(user, change=False)

    def editable_by(self, user: User) -> AttachmentQuerySet:
        return self._through_parents(user, change=True)

    def deletable_by(self, user: User) -> AttachmentQuerySet:
        return self.none()  # evidence: withdrawn, never deleted

    def current(self) -> AttachmentQuerySet:
        return self.filter(withdrawn_at__isnull=True)

    def of(self, obj: models.Model) -> AttachmentQuerySet:
        return self.filter(content_type=content_type_for(obj), object_id=obj.pk)

    def _through_parents(self, user: User, *, change: bool) -> AttachmentQuerySet:
        scope = get_scope(user)
        q = Q(pk__in=[])  # no declared use → no rows (default deny)
        for model, uses in uses_by_model().items():
            parents: Any = model._default_manager  # a ScopedManager: visible_to / editable_by
            ct = content_type_for(model)
            if change:
                q |= Q(content_type=ct, object_id__in=parents.editable_by(user).values("pk"))
                continue
            for readers in {u.readers for u in uses}:
                kinds = [u.kind for u in uses if u.readers == readers]
                if readers == "editors" and not scope.reads_all:
                    ids = parents.editable_by(user)
                else:
                    ids = parents.visible_to(user)
                q |= Q(content_type=ct, kind__in=kinds, object_id__in=ids.values("pk"))
        return self.filter(q)


class Attachment(AuditedModel):
    """One uploaded file on one object. Never deleted; ``withdrawn_at`` hides it."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=gettext_lazy("所属对象类型"))
    object_id = models.PositiveBigIntegerField(gettext_lazy("所属对象ID"))
    parent = GenericForeignKey("content_type", "object_id", for_concrete_model=False)
    kind = models.CharField(gettext_lazy("附件类别"), max_length=40)
    original_name = models.CharField(gettext_lazy("文件名"), max_length=MAX_NAME_LENGTH)
    stored_name = models.CharField(gettext_lazy("存储名"), max_length=200, unique=True)
    size = models.PositiveBigIntegerField(gettext_lazy("大小（字节）"))
    sha256 = models.CharField(gettext_lazy("SHA-256"), max_length=64, db_index=True)
    file_type = models.CharField(gettext_lazy("文件类型"), max_length=10)
    # SET_NULL: the upload's audit event keeps the uploader's name if the account is ever removed.
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=gettext_lazy("上传人"))
    withdrawn_at = models.DateTimeField(gettext_lazy("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=gettext_lazy("撤回人"))

    # Annotated: the django-stubs plugin cannot follow a manager made from a generated manager class.
    objects: ClassVar[Any] = ScopedManager.from_queryset(AttachmentQuerySet)()

    class Meta:
        verbose_name = gettext_lazy("附件")
        verbose_name_plural = gettext_lazy("附件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_parent_idx")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def mime(self) -> str:
        return FILE_KINDS[self.file_type].mime if self.file_type in FILE_KINDS else "application/octet-stream"

    def kind_label(self) -> str:
        model = self.content_type.model_class() if self.content_type_id else None
        use = use_for(model, self.kind) if model is not None else None
        return str(use.label) if use else self.kind


def storage() -> Storage:
    return storages["attachments"]


# --- checks ------------------------------------------------------------------------------------------------------


def clean_name(name: str) -> str:
    """The display name, or ValidationError. Path tricks are refused, not silently repaired: the
    user should see the name that is kept."""
    name = unicodedata.normalize("NFC", name or "")
    if not name.strip():
        raise ValidationError(_("文件名为空。"))
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(_("文件名过长（最多 %(max)d 个字符），请改短后再上传。") % {"max": MAX_NAME_LENGTH})
    # Cc: NUL, CR/LF …; Cf: the right-to-left override (U+202E) that turns "exe.pdf" around, zero-width marks.
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} for ch in name):
        raise ValidationError(_("文件名含有控制字符或不可见字符，请重命名后再上传。"))
    if FORBIDDEN_CHARS & set(name) or ".." in name:
        raise ValidationError(_("文件名不能含有路径或以下字符：/ \\ : * ? \" < > | 以及“..”。"))
    if name[0] in ". " or name[-1] in ". ":
        raise ValidationError(_("文件名不能以点或空格开头或结尾。"))
    stem = name.rsplit(".", 1)[0] if "." in name else name
    if stem.split(".")[0].strip().upper() in WINDOWS_RESERVED:
        raise ValidationError(_("文件名不能使用系统保留名（如 CON、NUL、COM1）。"))
    return name


def extension_of(name: str) -> str:
    return ("." + name.rsplit(".", 1)[1].lower()) if "." in name else ""


def detect_type(file: IO[bytes]) -> str:
    """The type of ``file`` from its bytes: a ``FILE_KINDS`` code, or what it really is (``"exe"``,
    ``"zip"``, ``"txt"`` …) for the refusal message. Reads the head only, plus a zip's directory."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_type(file)
    guess = filetype.guess(head)
    if guess is None:
        return "txt" if head and _looks_like_text(head) else "unknown"
    extension: str = guess.extension
    return {"jpeg": "jpg"}.get(extension, extension)


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _ooxml_type(file: IO[bytes]) -> str:
    """docx / xlsx when the package says so ([Content_Types].xml names the main part, and the part
    exists); otherwise "zip". filetype alone calls every OOXML file a zip."""
    try:
        with zipfile.ZipFile(file) as package:
            names = set(package.namelist())
            info = package.getinfo("[Content_Types].xml") if "[Content_Types].xml" in names else None
            if info is None or info.file_size > CONTENT_TYPES_MAX_BYTES:
                return "zip"
            content_types = package.read(info)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return "zip"
    finally:
        file.seek(0)
    for code, (part, main) in OOXML_MAIN.items():
        if part in names and main in content_types:
            return code
    return "zip"


def _type_label(code: str) -> str:
    kind = FILE_KINDS.get(code)
    if kind:
        return kind.label
    return {"unknown": _("无法识别的内容"), "txt": _("纯文本"), "zip": _("普通压缩包（zip）"),
            "exe": _("可执行程序（exe）")}.get(code, code.upper())


def _digest(file: Any) -> str:
    sha = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(1 << 20), b""):
        sha.update(chunk)
    file.seek(0)
    return sha.hexdigest()


@dataclass(frozen=True)
class Checked:
    name: str
    file_type: str
    size: int
    sha256: str


def check(obj: models.Model, uploaded: Any, use: AttachmentUse) -> Checked:
    """Every check of an upload, in the order a user can fix them; ValidationError (Chinese) on the first."""
    if uploaded is None:
        raise ValidationError(_("请选择要上传的文件。"))
    name = clean_name(getattr(uploaded, "name", "") or "")
    size = uploaded.size
    if size is None or size <= 0:
        raise ValidationError(_("文件为空（0 字节），未保存。"))
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:  # from the size the upload handler counted: nothing has been read yet
        raise ValidationError(_("文件过大（%(size)s），上限为 %(max)s。") % {
            "size": filesizeformat(size), "max": filesizeformat(limit)})
    ext = extension_of(name)
    expected = EXTENSIONS.get(ext)
    if expected is None or expected not in use.types:
        raise ValidationError(_("“%(use)s”只接受以下格式：%(types)s。") % {"use": use.label, "types": use.type_labels})
    real = detect_type(uploaded)
    if real != expected:
        raise ValidationError(_("文件内容与扩展名不符：扩展名是 %(ext)s，内容却是%(real)s。未保存。") % {
            "ext": ext, "real": _type_label(real)})
    digest = _digest(uploaded)
    with unscoped("the parent was checked editable; its files are compared by content"):
        same = Attachment.objects.of(obj).current().filter(sha256=digest).first()
    if same is not None:
        raise ValidationError(_("同一文件已上传过（“%(name)s”），无需重复上传。") % {"name": same.original_name})
    return Checked(name=name, file_type=real, size=size, sha256=digest)


# --- the service -------------------------------------------------------------------------------------------------


def may_upload(obj: models.Model, user: User) -> bool:
    parents: Any = type(obj)._default_manager  # a ScopedManager
    return bool(parents.editable_by(user).filter(pk=obj.pk).exists())


def attach(obj: models.Model, uploaded: Any, user: User, kind: str) -> Attachment:
    """Store ``uploaded`` on ``obj`` as a ``kind`` document, or refuse (ValidationError with the
    Chinese reason, PermissionDenied) and store nothing. A refused upload writes a security event."""
    if not may_upload(obj, user):
        raise PermissionDenied(_("您无权为该记录上传附件。"))
    try:
        use = use_for(type(obj), kind)
        if use is None:
            raise ValidationError(_("请选择附件类别。"))
        checked = check(obj, uploaded, use)
    except ValidationError as error:
        audit.record_security("upload", outcome="refused", obj=obj, message=" ".join(error.messages),
                              details={"name": audit.clean_text(str(getattr(uploaded, "name", "") or ""), 200),
                                       "kind": audit.clean_text(kind, 40),
                                       "size": getattr(uploaded, "size", None)})
        raise
    meta = type(obj)._meta
    # Never derived from the user's name: a random name, the extension of the detected type.
    stored = f"{meta.app_label}/{meta.model_name}/{uuid.uuid4().hex}{FILE_KINDS[checked.file_type].extensions[0]}"
    uploaded.seek(0)
    files = storage()
    saved_name = files.save(stored, uploaded)
    try:
        with transaction.atomic():
            attachment = Attachment(content_type=content_type_for(obj), object_id=obj.pk, kind=use.kind,
                                    original_name=checked.name, stored_name=saved_name, size=checked.size,
                                    sha256=checked.sha256, file_type=checked.file_type,
                                    uploaded_by=cast(Any, user))  # an AUTH_USER_MODEL row (see core/types.py)
            attachment.save()  # AuditMixin: the data event in the same transaction
    except Exception:
        files.delete(saved_name)  # no row, no file
        raise
    return attachment


def withdraw(attachment: Attachment, user: User) -> None:
    """Hide an attachment from its tab; the row and the file stay (evidence), the change is audited."""
    if not Attachment.objects.editable_by(user).filter(pk=attachment.pk).exists():
        raise PermissionDenied(_("您无权撤回该附件。"))
    if attachment.withdrawn_at is None:
        attachment.withdrawn_at = timezone.now()
        attachment.withdrawn_by = cast(Any, user)  # an AUTH_USER_MODEL row (see core/types.py)
        attachment.save()


def listed(obj: models.Model, user: User) -> Iterable[Attachment]:
    """The current attachments of ``obj`` that ``user`` may see (the 附件 card)."""
    rows: AttachmentQuerySet = (Attachment.objects.visible_to(user).current().of(obj)
                                .select_related("uploaded_by", "content_type"))
    return rows


def download_response(attachment: Attachment) -> FileResponse:
    """The file as a download (never shown inline), with a ``download`` security event."""
    audit.record_security("download", obj=attachment, message=attachment.original_name,
                          details={"parent": f"{attachment.content_type.app_label}.{attachment.content_type.model}"
                                             f":{attachment.object_id}",
                                   "sha256": attachment.sha256, "size": attachment.size})
    return private_download(
        storage().open(attachment.stored_name, "rb"), content_type=attachment.mime,
        ascii_name=f"attachment-{attachment.pk}{FILE_KINDS[attachment.file_type].extensions[0]}",
        name=attachment.original_name, size=attachment.size)
