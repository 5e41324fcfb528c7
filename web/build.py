#!/usr/bin/env python3
"""Builds the dashboard into OUT: index.html, app.js and app.css.

Usage: build.py WEB_SOURCE_DIR OUT_DIR

Installs the pinned packages with `npm ci` when node_modules is missing or was installed
from another package-lock.json, then bundles src/ with esbuild (build.mjs). Several build
directories may run this at once: `npm ci` runs under a lock. Without node or npm, or when the
registry cannot be reached, the three files are still written (the build must not fail for
want of the web part): index.html then says what is missing, and BUILD-MISSING names it for the
tests, which skip.
"""
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys

OUTPUTS = ('index.html', 'app.js', 'app.css')


def placeholder(out, reason):
    """Writes a page saying why the dashboard is missing, and the marker the tests read."""
    os.makedirs(out, exist_ok=True)
    html = ('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            '<title>Concord</title></head><body>\n'
            '<h1>Concord</h1>\n<p>The dashboard was not built: %s.</p>\n'
            '<p>The HTTP API is served as usual: <a href="/api/openapi.json">'
            '/api/openapi.json</a> lists it.</p>\n</body></html>\n') % (
                reason.replace('&', '&amp;').replace('<', '&lt;'))
    with open(os.path.join(out, 'index.html'), 'w', encoding='utf-8') as f:
        f.write(html)
    for name in ('app.js', 'app.css'):
        with open(os.path.join(out, name), 'w', encoding='utf-8') as f:
            f.write('')
    with open(os.path.join(out, 'BUILD-MISSING'), 'w', encoding='utf-8') as f:
        f.write(reason + '\n')
    print('web: ' + reason + ' (the dashboard is a placeholder page)', file=sys.stderr)
    return 0


def lock_digest(src):
    with open(os.path.join(src, 'package-lock.json'), 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def ensure_modules(src):
    """npm ci unless node_modules came from this lock file; returns None or why it failed."""
    stamp = os.path.join(src, 'node_modules', '.concord-lock-sha256')
    want = lock_digest(src)
    with open(os.path.join(src, '.npm-ci.lock'), 'w') as lockf:
        fcntl.flock(lockf, fcntl.LOCK_EX)
        try:
            with open(stamp, encoding='ascii') as f:
                if f.read().strip() == want:
                    return None
        except OSError:
            pass
        env = dict(os.environ)
        env.setdefault('npm_config_fetch_retries', '1')
        env.setdefault('npm_config_fetch_timeout', '30000')
        env.setdefault('npm_config_update_notifier', 'false')
        try:
            # no install scripts: esbuild finds its binary in its optional platform package
            r = subprocess.run(['npm', 'ci', '--no-audit', '--no-fund', '--ignore-scripts'],
                               cwd=src, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as e:
            return 'npm ci failed (%s)' % e
        if r.returncode != 0:
            lines = r.stdout.decode('utf-8', 'replace').strip().splitlines()
            why = [l for l in lines if ' code ' in l or 'errno' in l][:2] or lines[-2:]
            return 'npm ci failed (is the npm registry reachable?): ' + ' / '.join(why)
        with open(stamp, 'w', encoding='ascii') as f:
            f.write(want + '\n')
    return None


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    missing = os.path.join(out, 'BUILD-MISSING')
    if os.path.exists(missing):
        os.remove(missing)
    if not shutil.which('node') or not shutil.which('npm'):
        return placeholder(out, 'node and npm are not installed (scripts/install-deps.sh '
                                'installs them)')
    why = ensure_modules(src)
    if why:
        return placeholder(out, why)
    r = subprocess.run(['node', os.path.join(src, 'build.mjs'), out], cwd=src)
    if r.returncode != 0:
        print('web: the bundle step failed', file=sys.stderr)
        return 1
    for name in OUTPUTS:
        if not os.path.exists(os.path.join(out, name)):
            print('web: the bundle step did not write ' + name, file=sys.stderr)
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
