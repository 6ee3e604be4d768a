import datetime

from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from novel_engine.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Stats(_message.Message):
    __slots__ = ("strength", "dexterity", "intelligence", "willpower", "perception", "charisma")
    STRENGTH_FIELD_NUMBER: _ClassVar[int]
    DEXTERITY_FIELD_NUMBER: _ClassVar[int]
    INTELLIGENCE_FIELD_NUMBER: _ClassVar[int]
    WILLPOWER_FIELD_NUMBER: _ClassVar[int]
    PERCEPTION_FIELD_NUMBER: _ClassVar[int]
    CHARISMA_FIELD_NUMBER: _ClassVar[int]
    strength: int
    dexterity: int
    intelligence: int
    willpower: int
    perception: int
    charisma: int
    def __init__(self, strength: _Optional[int] = ..., dexterity: _Optional[int] = ..., intelligence: _Optional[int] = ..., willpower: _Optional[int] = ..., perception: _Optional[int] = ..., charisma: _Optional[int] = ...) -> None: ...

class Character(_message.Message):
    __slots__ = ("id", "name", "faction", "role", "traits", "stats", "goals", "relationships", "equipment", "backstory", "created_at", "updated_at", "version", "notes")
    class TraitsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class RelationshipsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    FACTION_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TRAITS_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    GOALS_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    EQUIPMENT_FIELD_NUMBER: _ClassVar[int]
    BACKSTORY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    faction: str
    role: str
    traits: _containers.ScalarMap[str, float]
    stats: Stats
    goals: _containers.RepeatedScalarFieldContainer[str]
    relationships: _containers.ScalarMap[str, float]
    equipment: _containers.RepeatedScalarFieldContainer[str]
    backstory: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    version: int
    notes: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., faction: _Optional[str] = ..., role: _Optional[str] = ..., traits: _Optional[_Mapping[str, float]] = ..., stats: _Optional[_Union[Stats, _Mapping]] = ..., goals: _Optional[_Iterable[str]] = ..., relationships: _Optional[_Mapping[str, float]] = ..., equipment: _Optional[_Iterable[str]] = ..., backstory: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ..., notes: _Optional[str] = ...) -> None: ...

class CreateCharacterRequest(_message.Message):
    __slots__ = ("tenant_id", "character")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    character: Character
    def __init__(self, tenant_id: _Optional[str] = ..., character: _Optional[_Union[Character, _Mapping]] = ...) -> None: ...

class GetCharacterRequest(_message.Message):
    __slots__ = ("tenant_id", "id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    id: str
    def __init__(self, tenant_id: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class BatchGetCharactersRequest(_message.Message):
    __slots__ = ("tenant_id", "ids")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    IDS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tenant_id: _Optional[str] = ..., ids: _Optional[_Iterable[str]] = ...) -> None: ...

class BatchGetCharactersResponse(_message.Message):
    __slots__ = ("characters", "missing_ids")
    CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    MISSING_IDS_FIELD_NUMBER: _ClassVar[int]
    characters: _containers.RepeatedCompositeFieldContainer[Character]
    missing_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, characters: _Optional[_Iterable[_Union[Character, _Mapping]]] = ..., missing_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ListCharactersRequest(_message.Message):
    __slots__ = ("tenant_id", "page", "name", "faction")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    FACTION_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page: _common_pb2.PageRequest
    name: str
    faction: str
    def __init__(self, tenant_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., name: _Optional[str] = ..., faction: _Optional[str] = ...) -> None: ...

class ListCharactersResponse(_message.Message):
    __slots__ = ("characters", "next_page_token")
    CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    characters: _containers.RepeatedCompositeFieldContainer[Character]
    next_page_token: str
    def __init__(self, characters: _Optional[_Iterable[_Union[Character, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateCharacterRequest(_message.Message):
    __slots__ = ("tenant_id", "character", "update_mask", "expected_version")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    character: Character
    update_mask: _field_mask_pb2.FieldMask
    expected_version: int
    def __init__(self, tenant_id: _Optional[str] = ..., character: _Optional[_Union[Character, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., expected_version: _Optional[int] = ...) -> None: ...

class DeleteCharacterRequest(_message.Message):
    __slots__ = ("tenant_id", "id", "expected_version")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    id: str
    expected_version: int
    def __init__(self, tenant_id: _Optional[str] = ..., id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class SeedStarterRosterRequest(_message.Message):
    __slots__ = ("tenant_id",)
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    def __init__(self, tenant_id: _Optional[str] = ...) -> None: ...

class SeedStarterRosterResponse(_message.Message):
    __slots__ = ("created_ids", "existing_ids")
    CREATED_IDS_FIELD_NUMBER: _ClassVar[int]
    EXISTING_IDS_FIELD_NUMBER: _ClassVar[int]
    created_ids: _containers.RepeatedScalarFieldContainer[str]
    existing_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, created_ids: _Optional[_Iterable[str]] = ..., existing_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ImportFile(_message.Message):
    __slots__ = ("path", "content")
    PATH_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    path: str
    content: bytes
    def __init__(self, path: _Optional[str] = ..., content: _Optional[bytes] = ...) -> None: ...

class ImportCharactersRequest(_message.Message):
    __slots__ = ("tenant_id", "files", "dry_run")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    files: _containers.RepeatedCompositeFieldContainer[ImportFile]
    dry_run: bool
    def __init__(self, tenant_id: _Optional[str] = ..., files: _Optional[_Iterable[_Union[ImportFile, _Mapping]]] = ..., dry_run: _Optional[bool] = ...) -> None: ...

class ImportedCharacter(_message.Message):
    __slots__ = ("source", "status", "character", "mapped", "notes", "refused", "error")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_FIELD_NUMBER: _ClassVar[int]
    MAPPED_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    source: str
    status: str
    character: Character
    mapped: _containers.RepeatedScalarFieldContainer[str]
    notes: _containers.RepeatedScalarFieldContainer[str]
    refused: _containers.RepeatedScalarFieldContainer[str]
    error: str
    def __init__(self, source: _Optional[str] = ..., status: _Optional[str] = ..., character: _Optional[_Union[Character, _Mapping]] = ..., mapped: _Optional[_Iterable[str]] = ..., notes: _Optional[_Iterable[str]] = ..., refused: _Optional[_Iterable[str]] = ..., error: _Optional[str] = ...) -> None: ...

class ImportCharactersResponse(_message.Message):
    __slots__ = ("characters",)
    CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    characters: _containers.RepeatedCompositeFieldContainer[ImportedCharacter]
    def __init__(self, characters: _Optional[_Iterable[_Union[ImportedCharacter, _Mapping]]] = ...) -> None: ...

class CharacterCreated(_message.Message):
    __slots__ = ("character",)
    CHARACTER_FIELD_NUMBER: _ClassVar[int]
    character: Character
    def __init__(self, character: _Optional[_Union[Character, _Mapping]] = ...) -> None: ...

class CharacterUpdated(_message.Message):
    __slots__ = ("character",)
    CHARACTER_FIELD_NUMBER: _ClassVar[int]
    character: Character
    def __init__(self, character: _Optional[_Union[Character, _Mapping]] = ...) -> None: ...

class CharacterDeleted(_message.Message):
    __slots__ = ("id", "version")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    id: str
    version: int
    def __init__(self, id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...
