-- PostgreSQL migration survey: filled by its work (placeholder keeps the numbering contiguous).
SELECT 1;
