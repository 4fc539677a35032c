#!/usr/bin/env python3
"""openstacksdk against the service: create an image with data, find it by name (GET /v2/images/<name> must be a
clean 404 first), update properties, download it (the sdk verifies the hashes), delete it.
Credentials come from the OS_* environment (the fake Keystone). Argument: a file to upload."""
import hashlib
import sys

import openstack

path = sys.argv[1]
data = open(path, "rb").read()
conn = openstack.connect()

image = conn.image.create_image(
    name="sdk-image", filename=path, disk_format="raw", container_format="bare", wait=True, timeout=120
)
# For a PUT upload the sdk returns the record from before the upload (as with Glance); fetch it again.
image = conn.image.get_image(image.id)
assert image.status == "active", image.status
print("created", image.id)

found = conn.image.find_image("sdk-image")
assert found is not None and found.id == image.id, found
print("found by name")
assert conn.image.find_image("no-such-image-name") is None
print("missing name is None")

conn.image.update_image(image, hw_qemu_guest_agent="yes", name="sdk-image-2")
again = conn.image.get_image(image.id)
# hw_qemu_guest_agent is a modelled attribute of the sdk's Image; unknown keys land in .properties.
assert again.name == "sdk-image-2" and again.hw_qemu_guest_agent == "yes", again
print("updated")

assert again.checksum == hashlib.md5(data).hexdigest()
assert again.hash_algo == "sha512" and again.hash_value == hashlib.sha512(data).hexdigest()
body = conn.image.download_image(again)  # raises if the hash does not match
content = body if isinstance(body, bytes) else body.content
assert content == data
print("downloaded", len(content), "bytes, hashes verified")

conn.image.delete_image(again, ignore_missing=False)
assert conn.image.find_image(image.id) is None
print("deleted")
