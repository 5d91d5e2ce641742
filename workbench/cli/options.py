"""Option types and checks shared by the command families."""

from __future__ import annotations

import argparse
import socket

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".xlsx", ".xls", ".json")


def whole_number(minimum: int):
    """An argparse type: a whole number of at least ``minimum`` (argparse exits 2 otherwise)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    parse.__name__ = "whole number"  # argparse names the type in its messages
    return parse


def port_free(ip: str, port: int) -> bool:
    """Whether a server could listen on ``ip:port`` now (checked before handing over)."""
    try:
        with socket.socket() as sock:
            sock.bind((ip, port))
    except OSError:
        return False
    return True
