-- A usage password's validity as the applicant asks for it (issue 16): at most one month (OCCTO QA
-- [S9]: 「最長で1ヶ月の期限でシステムから申し込むことが可能」). NULL: the full month.
ALTER TABLE usage_password_application ADD COLUMN requested_valid_until date;
