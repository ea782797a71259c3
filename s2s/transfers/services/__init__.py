"""The transfer services: one function per thing a person does with a file.

Pages, the API and commands call these; each asks the policy, does its work in one
transaction and writes the audit record with the UPNs the file carried.
"""

from s2s.transfers.services.receive import (
    redownload_until,
    transfer_can_download,
    transfer_collect,
    transfer_delete,
    transfer_open_for_download,
    transfer_reject,
    transfers_collect,
    transfers_confirm_download,
    transfers_zip_stream,
)
from s2s.transfers.services.upload import UploadResult, transfer_upload

__all__ = [
    "UploadResult",
    "redownload_until",
    "transfer_can_download",
    "transfer_collect",
    "transfer_delete",
    "transfer_open_for_download",
    "transfer_reject",
    "transfer_upload",
    "transfers_collect",
    "transfers_confirm_download",
    "transfers_zip_stream",
]
