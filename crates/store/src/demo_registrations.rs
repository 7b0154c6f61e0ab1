//! The demo's self-registrations: one waiting for the office (its email not verified: the demo
//! sends no mail, so the office checks by phone) and one rejected with its reason, so the queue at
//! `/registrations` has something in it. Both through the store's own write, as an applicant's.

use crate::{Result, Store, Viewer};
use hezuo_domain::codes::credit_check_char;
use hezuo_domain::registration::RegistrationInput;

fn code(first17: &str) -> String {
    format!("{first17}{}", credit_check_char(first17).unwrap_or('0'))
}

fn application(name: &str, first17: &str, industry: &str, county: &str, contact: &str, n: u32) -> RegistrationInput {
    RegistrationInput {
        name: Some(name.into()),
        credit_code: Some(code(first17)),
        industry_code: Some(industry.into()),
        region_code: Some(county.into()),
        contact_name: Some(contact.into()),
        phone: Some(format!("1390570{n:04}")),
        email: Some(format!("apply{n}@example.cn")),
        password: Some("hezuo-demo-applicant".into()),
        ..Default::default()
    }
}

/// Files the two applications and rejects the second; returns how many were filed.
pub async fn load(store: &Store) -> Result<usize> {
    let city = store.city_region().await?;
    let pending = application(
        "衢州智联精密机械有限公司",
        "91330881MA2D7K801",
        "C34",
        "330881",
        "周建平",
        1,
    );
    let rejected = application(
        "龙游绿谷食品有限公司",
        "91330825MA2D7K802",
        "C14",
        "330825",
        "吴丽华",
        2,
    );
    let mut n = 0;
    for (i, input) in [pending, rejected].iter().enumerate() {
        let d = input.validate(city.as_deref())?;
        let r = store
            .create_registration(&d, &format!("demo-challenge-{i}"), None)
            .await?;
        if i == 1 {
            store
                .reject_registration(
                    &Viewer::system("demo"),
                    r.id,
                    "营业执照上的企业名称与填写的名称不一致，请核对后重新注册。",
                )
                .await?;
        }
        n += 1;
    }
    Ok(n)
}
