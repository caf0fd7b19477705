"""`kerasverse ui`: one local, read-only web page over tuner studies,
pipeline runs and their lineage, and running model servers.

Run `kerasverse ui ROOT... [--port 8080] [--server http://127.0.0.1:8501]`
and open the printed address. A ROOT is a folder (searched for tuner projects
and pipeline roots), a study `.db` file, or a database URL. The page binds
127.0.0.1 unless `--host` says otherwise, reads stores read-only, and serves
every asset itself (plotly.js from the `plotly` package: no CDN).

Example:

```python
from kerasverse.ui import create_app, run
run(["my_dir"], port=8080)          # blocks; or serve create_app(...) yourself
```
"""

from kerasverse.ui.app import create_app
from kerasverse.ui.catalog import Catalog
from kerasverse.ui.launcher import run
from kerasverse.ui.study_source import StoreError
from kerasverse.ui.study_source import StudySource

__all__ = ["Catalog", "StoreError", "StudySource", "create_app", "run"]
