#!/bin/sh
# make check-matrix as one step of make test: its "ok -" lines and cmocka summaries are counted.
exec make -s --no-print-directory check-matrix OUT="${OUT:-build/check}"
