/* Every cap of libconcord in one place, as named constants (bytes unless stated). */
#ifndef CC_LIMITS_H
#define CC_LIMITS_H

#define CC_LIMIT_CSV_FIELD    (1u << 20)   /* one CSV field: 1 MiB */
#define CC_LIMIT_CSV_FIELDS   4096         /* fields in one CSV record */
#define CC_LIMIT_CSV_RECORD   (8u << 20)   /* one CSV record, all fields: 8 MiB */
#define CC_LIMIT_HXL_SCAN     25           /* rows searched for the HXL hashtag row */
#define CC_LIMIT_REPORT       (64u << 20)  /* one generated HTML report */
#define CC_LIMIT_TEXT_OUT     (256u << 20) /* one CLI table, CSV or JSON result */
#define CC_LIMIT_GEOM         (64u << 20)  /* one area's geometry as WKB */
#define CC_LIMIT_REJECTS_KEPT 100000       /* rejected rows kept in memory by a report */
#define CC_LIMIT_BUF_DEFAULT  (16u << 20)  /* a cc_buf whose caller set no maximum */

#endif
