#!/usr/bin/env bash
echo "train-aot.sh: not yet" >&2
