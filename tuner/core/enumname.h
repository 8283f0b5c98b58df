/* SPDX-License-Identifier: MIT */
/*
 * Enums whose members have names (JSON words, profile keywords): one list gives
 * the members, their count, the name table and the lookup by name, so the
 * names cannot drift from the enum. A list is a macro taking X:
 *
 *	#define TN_MEMORY_LIST(X) X(TN_MEM_KEEP, "keep") X(TN_MEM_BIND, "bind")
 *	enum tn_memory { TN_MEMORY_LIST(TN_ENUM_MEMBER) };
 *	#define TN_MEMORY_COUNT TN_ENUM_COUNT(TN_MEMORY_LIST)
 *
 * and in one .c file:
 *
 *	TN_ENUM_NAME_FN(tn_memory_name, enum tn_memory, TN_MEMORY_LIST)
 *
 * defines const char *tn_memory_name(enum tn_memory), which returns "unknown"
 * for a value outside the list. TN_ENUM_NAMES(list) is the table itself, its
 * names in order and NULL-terminated (for a keyword lookup such as the
 * profile's). Members must be numbered 0, 1, 2... in list order.
 */
#ifndef TN_ENUMNAME_H
#define TN_ENUMNAME_H

#define TN_ENUM_MEMBER(id, name) id,
#define TN_ENUM_ONE_(id, name) +1
#define TN_ENUM_ENTRY_(id, name) [id] = name,
/* The names alone, in list order: { LIST(TN_ENUM_STRING) "more", NULL } */
#define TN_ENUM_STRING(id, name) name,

#define TN_ENUM_COUNT(list) (0 list(TN_ENUM_ONE_))

/* The names, indexed by member, with a NULL after the last. */
#define TN_ENUM_NAMES(list)                                      \
	{                                                        \
		list(TN_ENUM_ENTRY_)[TN_ENUM_COUNT(list)] = NULL \
	}

#define TN_ENUM_NAME_FN(fn, type, list)                                                     \
	const char *fn(type v)                                                              \
	{                                                                                   \
		static const char *const names_[] = TN_ENUM_NAMES(list);                    \
                                                                                            \
		return (unsigned)v < (unsigned)TN_ENUM_COUNT(list) ? names_[v] : "unknown"; \
	}

#endif
