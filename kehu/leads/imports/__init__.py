"""Lead imports from Excel (.xlsx) and CSV (UTF-8, GBK/GB18030, UTF-16): upload, column mapping, the run.

Upload stores the file under the var directory and reads its header and a few rows for the preview.
Start checks the column mapping and queues the background task, which streams the file and hands it to
`services.leads_create` in batches; when it ends, each person concerned gets one notification.

- `files`: what the file is, its encoding, header and preview; its rows as a stream
- `mapping`: guessing and checking which column fills which lead field
- `rows`: one row → cleaned lead fields, or its row errors
- `jobs`: upload, start, queue and resume a job
- `run`: the background run — batches, all or nothing, resume, finish
- `notices`: the messages sent when a job finishes (importer, assignees, duplicate owners)
- `progress`: phase and percent for the progress bar

The names below are the public API; callers use `from kehu.leads import imports; imports.import_start(...)`.
"""

from kehu.leads.imports.files import FORMATS
from kehu.leads.imports.jobs import import_create, import_resume_running, import_start, import_upload
from kehu.leads.imports.mapping import (
    EXTRA_PREFIX,
    FIELDS,
    column_label,
    extra_key,
    mapping_choices,
    mapping_guess,
)
from kehu.leads.imports.progress import import_progress
from kehu.leads.imports.run import import_run

__all__ = [
    "EXTRA_PREFIX",
    "FIELDS",
    "FORMATS",
    "column_label",
    "extra_key",
    "import_create",
    "import_progress",
    "import_resume_running",
    "import_run",
    "import_start",
    "import_upload",
    "mapping_choices",
    "mapping_guess",
]
