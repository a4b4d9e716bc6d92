"""An upload handler that refuses, before reading it, a request body larger than any form
of the product may send (settings.UPLOAD_MAX_REQUEST_BYTES).

Django limits the non-file part of a request (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams
files of any size to temporary files. This handler runs first: a body declared larger than
the limit raises RequestDataTooBig (a 400) before one byte of it is read, wherever the
body is first parsed (the CSRF check, a view, the API). Smaller files are checked one by
one by the forms and the API before they are read (watch-file imports, #15).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class RequestSizeLimitHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.UPLOAD_MAX_REQUEST_BYTES:
            raise RequestDataTooBig("The request body is larger than UPLOAD_MAX_REQUEST_BYTES.")

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
