#!/bin/sh
# make check-sanitize as one step of make test: its "ok -" lines and cmocka summaries are counted.
exec make -s --no-print-directory check-sanitize OUT="${OUT:-build/check}"
