-- Document attachments of applications (issue 16): identity or consent documents with a usage
-- password application, a move-in's documents. Kept with the application they came with, by the
-- delivery (request ID) that carried them: a correction's files sit beside the registration's.
-- Applied to each grid_NN schema with search_path set. The content is checked before it gets here
-- (src/interfaces/attachments.ts: PDF, JPEG, PNG or TIFF, at most 5 files of 5 MiB, 10 MiB in all).
CREATE TABLE application_attachment (
  application_number text NOT NULL,
  participant_code text NOT NULL,
  request_id text NOT NULL,
  seq smallint NOT NULL CHECK (seq BETWEEN 1 AND 5),
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 100),
  media_type text NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/tiff')),
  size integer NOT NULL CHECK (size BETWEEN 1 AND 5242880 AND size = octet_length(content)),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content bytea NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (application_number, request_id, seq)
);
