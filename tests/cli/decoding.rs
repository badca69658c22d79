//! Secrets stored encoded: found by the shipped pack at the encoded span,
//! and masked in every output like any other.

use base64::Engine;

use crate::support::{at, json, places, repo, ward};

const STANDARD: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A PKCS #8 key of random base64 lines (not a real key).
fn private_key() -> String {
    let body = [
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7Zq8Kx3Lm9Vb2",
        "Rt7Np4Wc6Yd1Fg5Hj0Ks2AaBv9QeT3mXn8LpW4cZr1YsK6dHf0JgU2oBi7NtE5ua",
        "Xq3Vw9Ly2Mk8Pj4Hn6Gb1Fc7Dd5Se0Ra3Tq9Up2Wo8Yi4Zh6Xg1Vf7Ue5Td3Sc0",
    ];
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        body.join("\n")
    )
}

// Built from pieces, so that ward's own check of this file finds none.
const JWT: &str = concat!(
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
    ".eyJzdWIiOiJ3YXJkLXRlc3QiLCJuYW1lIjoiWnE4S3gzTG05In0",
    ".Qk9Xc3Rv8Lm2Vb7Rt4Np6Wc1Yd5Fg0Hj3Ks9AaBq2E"
);

fn tree() -> (tempfile::TempDir, String, String) {
    let key = STANDARD.encode(private_key());
    let jwt = STANDARD.encode(JWT);
    let secret =
        format!("apiVersion: v1\nkind: Secret\ndata:\n  tls.key: {key}\n  session: {jwt}\n");
    let repo = repo(&[
        ("deploy/secret.yaml", secret.as_bytes()),
        // Long identifiers and digests are base64 characters too; nothing
        // in them decodes to text, so they give nothing.
        (
            "src/clean.rs",
            b"const MAX_FINDINGS_PER_FILE_OF_THE_ENGINE: usize = 1;\nlet digest = \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\";\n",
        ),
    ]);
    (repo, key, jwt)
}

#[test]
fn a_base64_encoded_private_key_and_jwt_are_found_at_the_encoded_span() {
    let (repo, _, _) = tree();
    let (code, report) = json(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&report),
        [
            at("secrets/pkcs8-private-key", "deploy/secret.yaml", 4, 12),
            at("secrets/jwt", "deploy/secret.yaml", 5, 12),
        ]
    );
    for finding in report["findings"].as_array().unwrap() {
        assert!(
            finding["message"]
                .as_str()
                .unwrap()
                .ends_with("(decoded from base64)"),
            "{finding}"
        );
        // The span is the whole encoded value on its line.
        assert_eq!(finding["end_line"], finding["line"]);
    }
}

#[test]
fn encoded_secrets_are_masked_in_every_output() {
    let (repo, key, jwt) = tree();
    let decoded_key_line = "Rt7Np4Wc6Yd1Fg5Hj0Ks2AaBv9QeT3mXn8LpW4cZr1YsK6dHf0JgU2oBi7NtE5ua";
    for args in [
        &["check"][..],
        &["check", "--format", "json"][..],
        &["check", "--format", "sarif"][..],
        &["check", "--format", "junit"][..],
        &["check", "--format", "github"][..],
        &["check", "--verbose"][..],
    ] {
        let out = ward(repo.path(), args).output().unwrap();
        let printed = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        // (A JWT header is the same in every token and in the rule's docs.)
        for hidden in [
            &key[8..40],
            &jwt[8..40],
            decoded_key_line,
            &JWT[JWT.len() - 40..],
        ] {
            assert!(!printed.contains(hidden), "{args:?} printed {hidden}");
        }
    }
}
