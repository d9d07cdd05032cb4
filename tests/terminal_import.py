"""``salesboard pipeline import`` run at a pseudo-terminal, where it asks before applying."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path


def import_at_a_terminal(
    db: str, tmp_path: Path, answers: str, env: dict[str, str] | None = None
) -> tuple[str, str]:
    """Export the pipeline of ``db``, change Prospect's "stuck after" from 14 to 7 days,
    import it at a terminal typing ``answers``, and give what it wrote (out, err)."""
    environment = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg"), **(env or {})}
    base = [sys.executable, "-m", "salesboard", "--db", db]
    subprocess.run([*base, "init"], check=True, env=environment, capture_output=True)
    exported = subprocess.run(
        [*base, "pipeline", "export"], check=True, env=environment, capture_output=True, text=True
    ).stdout
    file = tmp_path / "p.toml"
    file.write_text(exported.replace("stuck_after_days = 14", "stuck_after_days = 7"))
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [*base, "pipeline", "import", str(file)],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    ) as process:
        os.close(follower)
        os.write(leader, answers.encode())
        out, err = process.communicate(timeout=60)
    os.close(leader)
    assert process.returncode == 0, err
    return out.decode(), err.decode()
