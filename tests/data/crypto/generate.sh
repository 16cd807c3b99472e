#!/bin/sh
# Regenerates the crypto test fixtures with the openssl command (OpenSSL 3),
# an implementation independent of Zastava's code. The tests read the keys
# and compare our keyids against *.keyid, which openssl computes here as
# sha256 over the DER SubjectPublicKeyInfo.
set -eu
cd "$(dirname "$0")"

keyid() {  # keyid <private key pem> -> "sha256:<hex>"
  printf 'sha256:%s\n' "$(openssl pkey -in "$1" -pubout -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)"
}

# Supported keys, in the encodings PrivateKey::from_pem must read.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256_pkcs8.pem
openssl ec -in p256_pkcs8.pem -out p256_traditional.pem          # "EC PRIVATE KEY"
openssl pkey -in p256_pkcs8.pem -pubout -out p256_pub.pem
keyid p256_pkcs8.pem > p256.keyid
openssl req -x509 -new -key p256_pkcs8.pem -subj /CN=zastava-test-p256 -days 36500 -out p256_cert.pem

openssl genpkey -algorithm ED25519 -out ed25519_pkcs8.pem
openssl pkey -in ed25519_pkcs8.pem -pubout -out ed25519_pub.pem
keyid ed25519_pkcs8.pem > ed25519.keyid
openssl req -x509 -new -key ed25519_pkcs8.pem -subj /CN=zastava-test-ed25519 -days 36500 -out ed25519_cert.pem

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out rsa3072_pkcs8.pem
openssl pkey -in rsa3072_pkcs8.pem -traditional -out rsa3072_traditional.pem  # "RSA PRIVATE KEY"
keyid rsa3072_pkcs8.pem > rsa3072.keyid

# Keys that must be rejected as unsupported.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384_pkcs8.pem
openssl pkey -in p384_pkcs8.pem -pubout -out p384_pub.pem
openssl req -x509 -new -key p384_pkcs8.pem -subj /CN=zastava-test-p384 -days 36500 -out p384_cert.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2048_pkcs8.pem
openssl pkey -in rsa2048_pkcs8.pem -pubout -out rsa2048_pub.pem
openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out dsa_params.pem
openssl genpkey -paramfile dsa_params.pem -out dsa_pkcs8.pem
rm dsa_params.pem
openssl genpkey -algorithm ED448 -out ed448_pkcs8.pem
openssl pkcs8 -topk8 -in p256_pkcs8.pem -passout pass:zastava -v2 aes-256-cbc -out p256_encrypted.pem
