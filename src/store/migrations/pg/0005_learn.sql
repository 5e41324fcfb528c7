-- PostgreSQL migration learn: filled by its work (placeholder keeps the numbering contiguous).
SELECT 1;
