/*
 * Published JOSE examples: RFC 7515 appendix A, RFC 8037 appendix A and
 * RFC 7520 section 4 (public keys, compact tokens, and the two symmetric
 * keys). The unit tests verify them; the jwks and jws fuzz targets seed
 * from them.
 */
#ifndef OIDC_TEST_JOSE_VECTORS_H
#define OIDC_TEST_JOSE_VECTORS_H

/*
 * RFC 7515 appendix A.1 to A.3 share one payload:
 * {"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}
 */
#define RFC7515_PAYLOAD                                                        \
	"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"     \
	"cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"

/* RFC 7515 A.1: HS256, the key is the "k" of the symmetric JWK. */
#define RFC7515_A1_K                                                           \
	"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0i"     \
	"PS4hcgUuTwjAzZr1Z9CAow"
#define RFC7515_A1_JWS                                                         \
	"eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." RFC7515_PAYLOAD            \
	".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

/* RFC 7515 A.2: RS256; the public members of the A.2.1 RSA key. */
#define RFC7515_A2_JWK                                                         \
	"{\"kty\":\"RSA\",\"n\":\""                                            \
	"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp"     \
	"-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOW"     \
	"vG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUs"     \
	"LA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9k"     \
	"G4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2"     \
	"PAcDTW9gb54h4FRWyuXpoQ\",\"e\":\"AQAB\"}"
#define RFC7515_A2_JWS                                                         \
	"eyJhbGciOiJSUzI1NiJ9." RFC7515_PAYLOAD                                \
	".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7"    \
	"AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4"     \
	"BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K"     \
	"0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv"     \
	"hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrB"     \
	"p0igcN_IoypGlUPQGe77Rw"

/* RFC 7515 A.3: ES256 (raw R || S); the public members of the key. */
#define RFC7515_A3_JWK                                                         \
	"{\"kty\":\"EC\",\"crv\":\"P-256\","                                   \
	"\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","               \
	"\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}"
#define RFC7515_A3_JWS                                                         \
	"eyJhbGciOiJFUzI1NiJ9." RFC7515_PAYLOAD                                \
	".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSA"    \
	"pmWQxfKTUJqPP3-Kg6NU1Q"

/* RFC 8037 A.2 public key and A.4 signature ("Example of Ed25519 signing"). */
#define RFC8037_A2_JWK                                                         \
	"{\"kty\":\"OKP\",\"crv\":\"Ed25519\","                                \
	"\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}"
#define RFC8037_A4_JWS                                                         \
	"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."            \
	"hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5B"     \
	"hVsPt9g7sVvpAr_MuM0KAg"

/*
 * RFC 7520 section 4: one payload, the text "It's a dangerous business,
 * Frodo, ..." (Figure 8), and the keys of section 3.
 */
#define RFC7520_PAYLOAD                                                        \
	"SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IH"       \
	"lvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBk"       \
	"b24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcm"       \
	"UgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4"
#define RFC7520_KID "bilbo.baggins@hobbiton.example"

/* RFC 7520 Figure 3: RSA 2048-bit public key. */
#define RFC7520_RSA_JWK                                                        \
	"{\"kty\":\"RSA\",\"kid\":\"" RFC7520_KID "\",\"use\":\"sig\","        \
	"\"n\":\"n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT"       \
	"-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqV"             \
	"wGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-"             \
	"oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde"             \
	"3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuC"             \
	"LqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5g"             \
	"HdrNP5zw\",\"e\":\"AQAB\"}"

/* RFC 7520 Figure 1: EC P-521 public key. */
#define RFC7520_EC_JWK                                                         \
	"{\"kty\":\"EC\",\"kid\":\"" RFC7520_KID "\",\"use\":\"sig\","         \
	"\"crv\":\"P-521\","                                                   \
	"\"x\":\"AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9"       \
	"A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt\","                                \
	"\"y\":\"AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVy"       \
	"SsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1\"}"

/* RFC 7520 Figure 5: HMAC SHA-256 symmetric key. */
#define RFC7520_OCT_JWK                                                        \
	"{\"kty\":\"oct\",\"kid\":\"018c0ae5-4d9b-471b-bfd6-"                  \
	"eef314bc7037\",\"use\":\"sig\",\"alg\":\"HS256\","                    \
	"\"k\":\"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg\"}"
#define RFC7520_OCT_K "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"

/* RFC 7520 4.1 (Figure 13): RS256. */
#define RFC7520_4_1_JWS                                                        \
	"eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZX"       \
	"hhbXBsZSJ9." RFC7520_PAYLOAD                                          \
	".MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmK"      \
	"ZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4J"       \
	"IwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8w"       \
	"W1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluP"       \
	"xUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_f"       \
	"cIe8u9ipH84ogoree7vjbU5y18kDquDg"

/* RFC 7520 4.2 (Figure 20): the RSA-PSS example is PS384, not PS256. */
#define RFC7520_4_2_JWS                                                        \
	"eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZX"       \
	"hhbXBsZSJ9." RFC7520_PAYLOAD                                          \
	".cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBzk1xEsnk2I"      \
	"pN6-tPid6VrklHkqsGqDqHCdP6O8TTB5dDDItllVo6_1OLPpcbUrhiUSMxbbXU"       \
	"vdvWXzg-UD8biiReQFlfz28zGWVsdiNAUf8ZnyPEgVFn442ZdNqiVJRmBqrYRX"       \
	"e8P_ijQ7p8Vdz0TTrxUeT3lm8d9shnr2lfJT8ImUjvAA2Xez2Mlp8cBE5awDzT"       \
	"0qI0n6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPbByi7xho0uTOcbH510a"       \
	"6GYmJUAfmWjwZ6oD4ifKo8DYM-X72Eaw"

/* RFC 7520 4.3 (Figure 27): ES512. */
#define RFC7520_4_3_JWS                                                        \
	"eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZX"       \
	"hhbXBsZSJ9." RFC7520_PAYLOAD                                          \
	".AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvb"      \
	"u9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sDDyYjnAMDxXPn7XrT0lw-kv"       \
	"AD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDqoRuBomu9xQ2"

/* RFC 7520 4.4 (Figure 34): HS256. */
#define RFC7520_4_4_JWS                                                        \
	"eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LW"       \
	"VlZjMxNGJjNzAzNyJ9." RFC7520_PAYLOAD                                  \
	".s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0"

#endif
