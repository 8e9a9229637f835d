from alembic import context

from services.registry.adapters.orm import metadata
from shared.db.migrate import run_env

run_env(context, metadata)
