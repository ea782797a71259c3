"""An MIS connector's upload is read by the quicker multipart reader (s2s/core/multipart.py)."""

from django.http.multipartparser import MultiPartParser

from s2s.transfers.models import Transfer
from s2s.transfers.tests.ctfs import ctf


def test_an_api_upload_lands_without_djangos_multipart_parser(
        school_a, receiving_school, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("Django's multipart parser was asked")
    monkeypatch.setattr(MultiPartParser, "parse", refuse)
    content = ctf("8383321", "8384512", seed=7)

    response = school_a.upload("8383321_CTF_8384512_001.XML", content)

    assert response.status_code == 201, response.content
    transfer = Transfer.objects.get(pk=response.json()["id"])
    assert (transfer.name, transfer.size) == ("8383321_CTF_8384512_001.XML", len(content))

