"""Pages of accounts: log-in with two-factor, the account's security page, invitations and
assignments, citizen registration by phone. Thin: parse, call one service or selector, render."""
