"""WeChat Official Account encrypted mode (安全模式), as documented in 消息加解密说明:

- the 43-character EncodingAESKey (KEFU_WECHAT_AES_KEY) is Base64 without its "=": the AES key
  is Base64Decode(key + "="), 32 bytes; the IV is its first 16 bytes; AES-256-CBC;
- the plain text is random(16 bytes) + len(msg) (4 bytes, network order) + msg + AppId, padded
  with PKCS#7 to a multiple of 32 bytes;
- msg_signature = sha1 of the sorted token, timestamp, nonce and the Base64 ciphertext;
- a message in encrypted mode arrives as <xml><ToUserName/><Encrypt>…</Encrypt></xml> with
  ``encrypt_type=aes`` and ``msg_signature`` in the query; the AppId inside must be ours.

Pure functions, no Django: the endpoint passes token, key and AppId in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct

# cryptography is imported where a message is sealed or opened: at the top of the module it cost
# every process ~8 MB, for WeChat accounts that most installations never configure (issue 14).


BLOCK = 32


class CryptError(Exception):
    """The message cannot be trusted or read: wrong signature, key, AppId or padding."""


def aes_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key or "") != 43:
        raise CryptError("bad EncodingAESKey")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except ValueError:
        raise CryptError("bad EncodingAESKey") from None
    if len(key) != 32:
        raise CryptError("bad EncodingAESKey")
    return key


def msg_signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


def signature_ok(token: str, timestamp: str, nonce: str, encrypted: str, signature: str) -> bool:
    if not token:
        return False
    expected = msg_signature(token, timestamp, nonce, encrypted)
    return hmac.compare_digest(expected, (signature or "").lower())


def encrypt(message: bytes, *, encoding_aes_key: str, appid: str, random: bytes | None = None):
    """Base64 ciphertext of one message (what goes in <Encrypt>)."""
    key = aes_key(encoding_aes_key)
    plain = (random or os.urandom(16)) + struct.pack(">I", len(message)) + message + appid.encode()
    pad = BLOCK - len(plain) % BLOCK
    plain += bytes([pad]) * pad
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(encrypted: str, *, encoding_aes_key: str, appid: str) -> bytes:
    """The message inside <Encrypt>, or CryptError (bad Base64, padding, length or AppId)."""
    key = aes_key(encoding_aes_key)
    try:
        data = base64.b64decode(encrypted, validate=True)
    except ValueError:
        raise CryptError("bad ciphertext") from None
    if not data or len(data) % 16:
        raise CryptError("bad ciphertext")
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise CryptError("bad padding")
    plain = plain[:-pad]
    if len(plain) < 20:
        raise CryptError("bad length")
    (length,) = struct.unpack(">I", plain[16:20])
    message, tail = plain[20 : 20 + length], plain[20 + length :]
    if len(message) != length or not hmac.compare_digest(tail, appid.encode()):
        raise CryptError("wrong AppId")
    return message
