"""Check digits of Iranian identifiers: کد ملی, bank cards (Luhn) and شبا (IBAN mod-97)."""


def national_code_ok(digits: str) -> bool:
    """True for a 10-digit کد ملی whose last digit is its check digit."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(digits[i]) * (10 - i) for i in range(9)) % 11
    check = int(digits[9])
    return check == total if total < 2 else check == 11 - total


def luhn_ok(digits: str) -> bool:
    """True when a card number passes the Luhn check."""
    if not digits.isdigit() or len(digits) < 12:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ir_ok(digits: str) -> bool:
    """True when IR followed by these 24 digits is a valid IBAN (ISO 13616 mod-97)."""
    if len(digits) != 24 or not digits.isdigit():
        return False
    # Move "IR" and the two check digits to the end; I=18, R=27.
    return int(digits[2:] + "1827" + digits[:2]) % 97 == 1
