"""The capital reads written by hand (fii.sql) return what the ORM returns."""

from __future__ import annotations

import pytest

from capital.models import Flag
from capital.selectors import flag_for_review
from tests import factories as f

pytestmark = pytest.mark.django_db


def fields(instance):  # type: ignore[no-untyped-def]
    if instance is None:
        return None
    return {fl.attname: getattr(instance, fl.attname) for fl in instance._meta.concrete_fields}


def test_a_flag_comes_with_its_program_and_subject_as_the_orm_gives_them(
    world_a, world_b, django_assert_num_queries
):
    org = world_a.org
    grant = f.ProgramFactory(organization=org)
    fund = f.ProgramFactory(organization=org, kind="group_fund", subject="group")
    grouped = f.FlagFactory(program=grant, family=world_a.objects["family"])
    alone = f.FlagFactory(program=grant, family=f.FamilyFactory(organization=org, group=None))
    group = f.FlagFactory(program=fund, family=None, group=world_a.objects["group"])
    orm = Flag.objects.for_org(org).select_related("program", "family", "family__group", "group")
    for flag in (grouped, alone, group):
        read, expected = flag_for_review(organization=org, flag_id=flag.pk), orm.get(pk=flag.pk)
        assert fields(read) == fields(expected)
        assert fields(read.program) == fields(expected.program)
        assert fields(read.family) == fields(expected.family)
        assert fields(read.group) == fields(expected.group)
        if read.family is not None:
            assert fields(read.family.group) == fields(expected.family.group)
    read = flag_for_review(organization=org, flag_id=grouped.pk)
    with django_assert_num_queries(0):  # all attached, nothing read lazily
        assert read.program.name and read.family.group.name and read.group is None
    assert flag_for_review(organization=org, flag_id=alone.pk).family.group is None
    with pytest.raises(Flag.DoesNotExist):
        flag_for_review(organization=world_b.org, flag_id=grouped.pk)
