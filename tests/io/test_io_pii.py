from reinstate.io.pii import is_pii_column, mask_text


def test_mask_text_masks_contacts_and_keeps_order_ids_and_dates():
    text = "Call +1 (206) 555-0100 or jo.doe+x@mail.example.com re 114-4892924-3377867 on 2026-01-05 (05/01/2026)"
    assert mask_text(text) == "Call [phone] or [email] re 114-4892924-3377867 on 2026-01-05 (05/01/2026)"
    assert mask_text("ligue 11 98765-4321 hoje") == "ligue [phone] hoje"
    assert mask_text("3 items, 12 cm") == "3 items, 12 cm"
    assert mask_text(None) is None


def test_pii_column_names_and_variants():
    for name in ("buyer-email", "Rater Email", "buyer_phone", "ship-address-2", "recipient-name", "cpf",
                 "customer_id", "ship-postal-code", "Buyer Name"):
        assert is_pii_column(name), name
    # issue 11: the non-standard buyer columns go too
    for name in ("Shipping Address", "ship-city", "ship-state", "ship-zip", "Full Name", "gift-message-text",
                 "delivery-instructions"):
        assert is_pii_column(name), name
    for name in ("ship-country", "address-type", "sku", "order_id", "product-name"):
        assert not is_pii_column(name), name
