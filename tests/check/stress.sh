#!/bin/sh
# make check-stress as one step of make test: its "ok -" lines and cmocka summaries are counted.
exec make -s --no-print-directory check-stress OUT="${OUT:-build/check}"
