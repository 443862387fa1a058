"""The chain's linker, every minute from beat: links what a lost on_commit left unlinked
(audit/chain.py). Safe to run twice or beside the on_commit linker (one lock per chain)."""

from celery import shared_task


@shared_task(name="audit.link_chains")
def link_chains() -> dict[str, int]:
    from . import chain

    return chain.link_all()
