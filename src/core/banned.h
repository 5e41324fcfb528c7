/*
 * Included last in every libconcord .c file: functions that are easy to misuse become compile
 * errors. See STYLE.md §9 for what to use instead.
 */
#ifndef CC_BANNED_H
#define CC_BANNED_H

#define CC_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) CC_BANNED(strcpy)
#undef strcat
#define strcat(x, y) CC_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) CC_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) CC_BANNED(strncat)
#undef sprintf
#define sprintf(...) CC_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) CC_BANNED(vsprintf)
#undef gets
#define gets(x) CC_BANNED(gets)
#undef atoi
#define atoi(x) CC_BANNED(atoi)
#undef atol
#define atol(x) CC_BANNED(atol)
#undef atof
#define atof(x) CC_BANNED(atof)
#undef strtok
#define strtok(x, y) CC_BANNED(strtok)
#undef strtok_r
#define strtok_r(x, y, z) CC_BANNED(strtok_r)
#undef gmtime
#define gmtime(x) CC_BANNED(gmtime)
#undef localtime
#define localtime(x) CC_BANNED(localtime)
#undef ctime
#define ctime(x) CC_BANNED(ctime)
#undef asctime
#define asctime(x) CC_BANNED(asctime)
#undef mktemp
#define mktemp(x) CC_BANNED(mktemp)
#undef tmpnam
#define tmpnam(x) CC_BANNED(tmpnam)
#undef system
#define system(x) CC_BANNED(system)
#undef popen
#define popen(x, y) CC_BANNED(popen)
#undef rand
#define rand() CC_BANNED(rand)
#undef alloca
#define alloca(x) CC_BANNED(alloca)
#ifndef CC_BANNED_ALLOW_IO /* src/cli and tests may print and exit */
#undef malloc
#define malloc(x) CC_BANNED(malloc)
#undef calloc
#define calloc(x, y) CC_BANNED(calloc)
#undef realloc
#define realloc(x, y) CC_BANNED(realloc)
#undef free
#define free(x) CC_BANNED(free)
#undef printf
#define printf(...) CC_BANNED(printf)
#undef exit
#define exit(x) CC_BANNED(exit)
#endif

#endif
