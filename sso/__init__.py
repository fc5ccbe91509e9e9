"""wuye-sso runtime: the staff workbench, the token verifier and the role catalogue they share."""
