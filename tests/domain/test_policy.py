"""Access rules, one cell per (actor, relation to the target, action).

The matrix below is `render_matrix()` of CASES, the data the tests run on; a test keeps it current.

| actor → target                                  |VP|EP|AF|BF|VM|LM|VV|UV|GF|VS|MA|VC|AC|MC|RS|AM|PM|PA|PE|PP|PV|XD|ED|GC|EN|AS|LD|AD|SV|RP|SM|AT|SF|RV|VA|TC|TM|TV|TJ|TA|NW|NV|NC|NT|WP|WV|SP|VB|
|-------------------------------------------------|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|--|
| athlete → own athlete profile                   |✓ |✓ |✓ |✓ |✓ |✓ |✓ |✓ |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |✓ |· |· |· |· |· |· |✓ |✓ |· |· |· |✓ |· |· |✓ |✓ |· |✓ |· |· |✓ |
| athlete of 16 → own nutrition                   |✓ |✓ |✓ |✓ |✓ |✓ |✓ |✓ |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |✓ |· |· |· |· |· |· |✓ |✓ |· |· |· |✓ |· |✓ |✓ |✓ |· |✓ |· |· |✓ |
| athlete of 15 → own nutrition                   |✓ |✓ |✓ |✓ |✓ |✓ |✓ |✓ |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |✓ |· |· |· |· |· |· |✓ |✓ |· |· |· |✓ |· |· |✓ |✓ |· |✓ |· |· |✓ |
| athlete, age unknown → own nutrition            |✓ |✓ |✓ |✓ |✓ |✓ |✓ |✓ |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |✓ |· |· |· |· |· |· |✓ |✓ |· |· |· |✓ |· |· |✓ |✓ |· |✓ |· |· |✓ |
| parent → child's nutrition                      |✓ |✓ |✓ |✓ |✓ |✓ |✓ |✓ |· |✓ |· |· |· |· |· |· |✓ |· |· |· |· |· |· |✓ |✓ |· |✓ |· |· |· |· |· |· |✓ |✓ |· |· |· |✓ |· |✓ |✓ |✓ |· |✓ |· |· |✓ |
| coach → booked athlete's nutrition              |✓ |· |· |· |✓ |✓ |✓ |· |✓ |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |✓ |· |✓ |· |· |· |· |· |✓ |✓ |· |· |· |· |· |· |
| coach → unbooked athlete's nutrition            |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| other athlete of 17 → the athlete's nutrition   |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| athlete → own account                           |✓ |✓ |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |· |· |· |· |· |✓ |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| athlete → someone else's account                |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| other athlete → the athlete                     |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| parent → their child                            |✓ |✓ |✓ |✓ |✓ |✓ |✓ |✓ |· |✓ |· |· |· |· |· |· |✓ |· |· |· |· |· |· |✓ |✓ |· |✓ |· |· |· |· |· |· |✓ |✓ |· |· |· |✓ |· |✓ |✓ |✓ |· |✓ |· |· |✓ |
| parent → own account                            |✓ |✓ |· |· |· |· |· |· |· |✓ |· |· |· |✓ |· |· |· |· |· |· |· |✓ |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| other parent → the athlete                      |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| linked guardian → their child                   |✓ |✓ |✓ |✓ |✓ |✓ |✓ |✓ |· |✓ |· |· |· |· |· |· |✓ |· |· |· |· |· |· |✓ |✓ |· |✓ |· |· |· |· |· |· |✓ |✓ |· |· |· |✓ |· |✓ |✓ |✓ |· |✓ |· |· |✓ |
| mentor → their mentee                           |✓ |· |· |· |✓ |· |· |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| mentor allowed videos → their mentee            |✓ |· |· |· |✓ |· |✓ |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| mentor → own account                            |✓ |✓ |· |· |· |· |· |· |· |✓ |· |· |· |· |· |✓ |· |· |· |· |· |✓ |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| mentor → another athlete                        |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| parent → another account                        |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| coach → booked athlete                          |✓ |· |· |· |✓ |✓ |✓ |· |✓ |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |✓ |· |✓ |· |· |· |· |· |✓ |✓ |· |· |· |· |· |· |
| coach → booked athlete, consent revoked         |✓ |· |· |· |✓ |✓ |· |· |✓ |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |✓ |· |✓ |· |· |· |· |· |✓ |✓ |· |· |· |· |· |· |
| mentor allowed videos → mentee, consent revoked |✓ |· |· |· |✓ |· |· |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| coach → unbooked athlete                        |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| coach → own coach profile                       |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |· |✓ |· |· |✓ |· |
| coach → other coach                             |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| coach → own session                             |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |· |
| coach → other coach's session                   |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| parent → their child's session                  |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| coach → own series                              |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| co-coach → team's series                        |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| coach → other coach's series                    |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| parent → their child's series                   |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| unverified coach → own coach profile            |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |· |✓ |· |· |✓ |· |
| coach → own program                             |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |✓ |✓ |· |· |· |· |· |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| unverified coach → own program                  |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |✓ |· |· |· |· |· |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| coach → other coach's program                   |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| athlete → program they follow                   |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| athlete → program they don't follow             |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| parent → program their child follows            |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| other parent → program another child follows    |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| mentor → program their mentee follows           |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| admin → a program                               |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| athlete → own program day                       |✓ |✓ |✓ |✓ |✓ |✓ |✓ |✓ |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |✓ |· |✓ |· |· |· |· |✓ |✓ |· |· |· |✓ |· |· |✓ |✓ |· |✓ |· |· |✓ |
| parent → child's program day                    |✓ |✓ |✓ |✓ |✓ |✓ |✓ |✓ |· |✓ |· |· |· |· |· |· |✓ |· |· |· |· |· |· |✓ |✓ |· |✓ |· |✓ |· |· |· |· |✓ |✓ |· |· |· |✓ |· |✓ |✓ |✓ |· |✓ |· |· |✓ |
| other parent → another child's program day      |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| program's author → a program day                |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| athlete's coach → another's program day         |✓ |· |· |· |✓ |✓ |✓ |· |✓ |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |✓ |· |· |✓ |· |✓ |· |· |· |· |· |✓ |✓ |· |· |· |· |· |· |
| athlete's coach → program day, consent revoked  |✓ |· |· |· |✓ |✓ |· |· |✓ |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |✓ |· |✓ |· |· |· |· |· |✓ |✓ |· |· |· |· |· |· |
| other coach → a program day                     |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| mentor allowed videos → mentee's program day    |✓ |· |· |· |✓ |· |✓ |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| coach → own team                                |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |✓ |· |· |· |· |· |· |· |· |✓ |· |
| co-coach → the team                             |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |✓ |· |· |· |· |· |· |· |· |✓ |· |
| coach → other coach's team                      |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| athlete → team they are on                      |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |✓ |· |· |· |· |· |· |· |· |
| parent → their child's team                     |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |✓ |· |· |· |· |· |· |· |· |
| linked guardian → their child's team            |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |✓ |· |· |· |· |· |· |· |· |
| other parent → a team their child is not on     |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| mentor → their mentee's team                    |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| admin → a team                                  |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |✓ |· |· |· |· |· |· |· |· |· |· |
| suspended parent → their child's team           |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| admin → an athlete                              |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| admin → a user                                  |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| admin → a coach                                 |✓ |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |
| admin → system                                  |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| blocked parent → their child                    |✓ |✓ |✓ |✓ |✓ |✓ |✓ |✓ |· |✓ |· |· |· |· |· |· |✓ |· |· |· |· |· |· |✓ |✓ |· |✓ |· |· |· |· |· |· |✓ |✓ |· |· |· |✓ |· |✓ |✓ |✓ |· |✓ |· |· |✓ |
| suspended parent → their child                  |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| suspended parent → own account                  |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |✓ |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |
| deleted admin → system                          |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |· |

✓ allow, · deny. VP view_profile, EP edit_profile, AF act_for_athlete, BF book_for_athlete, VM
view_metrics, LM log_metrics, VV view_video, UV upload_video, GF give_feedback, VS view_sensitive,
MA manage_availability, VC verify_coach, AC admin_command, MC manage_children, RS run_session, AM
ask_to_mentor, PM approve_mentor, PA author_program, PE edit_program, PP publish_program, PV
view_program, XD export_own_data, ED erase_own_data, GC give_video_consent, EN enrol_in_program, AS
assign_program, LD log_program_day, AD view_adherence, SV send_program_video, RP
review_program_video, SM manage_series, AT take_attendance, SF schedule_series_for, RV answer_rsvp,
VA view_attendance, TC coach_teams, TM manage_team, TV view_team, TJ join_team, TA
answer_team_message, NW write_nutrition_plan, NV view_nutrition_plan, NC check_in_meal, NT
author_nutrition_template, WP wait_for_place, WV view_waitlist, SP sell_packs_and_fees, VB
view_balances.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, replace
from uuid import UUID

import pytest

from domain.errors import NotAllowed
from domain.policy import (
    Action,
    Actor,
    AthleteTarget,
    CoachTarget,
    NutritionTarget,
    ProgramDayTarget,
    ProgramTarget,
    SeriesTarget,
    SessionTarget,
    System,
    Target,
    TeamTarget,
    UserTarget,
    athletes_actor_may_act_for,
    may,
    require,
)

ATHLETE = UUID("a0000000-0000-4000-8000-000000000001")
OTHER_ATHLETE = UUID("a0000000-0000-4000-8000-000000000002")
SIBLING = UUID("a0000000-0000-4000-8000-000000000003")
COACH = UUID("c0000000-0000-4000-8000-000000000001")
OTHER_COACH = UUID("c0000000-0000-4000-8000-000000000002")
ATHLETE_USER = UUID("e0000000-0000-4000-8000-000000000001")
OTHER_USER = UUID("e0000000-0000-4000-8000-000000000002")


def _user(n: int) -> UUID:
    return UUID(f"f0000000-0000-4000-8000-{n:012d}")


THE_ATHLETE = Actor(user_id=ATHLETE_USER, role="athlete", own_athlete_id=ATHLETE)
ANOTHER_ATHLETE = Actor(user_id=_user(1), role="athlete", own_athlete_id=OTHER_ATHLETE)
PARENT = Actor(user_id=_user(2), role="parent", guarded_athlete_ids=frozenset({ATHLETE}))
ANOTHER_PARENT = Actor(
    user_id=_user(3), role="parent", guarded_athlete_ids=frozenset({OTHER_ATHLETE})
)
SECOND_GUARDIAN = Actor(user_id=_user(4), role="parent", guarded_athlete_ids=frozenset({ATHLETE}))
MENTOR = Actor(user_id=_user(5), role="mentor", mentored_athlete_ids=frozenset({ATHLETE}))
# A guardian allowed this mentor to be shown the athlete's videos.
TRUSTED_MENTOR = replace(MENTOR, video_mentored_athlete_ids=frozenset({ATHLETE}))
BOOKED_COACH = Actor(
    user_id=_user(6),
    role="coach",
    coach_id=COACH,
    coached_athlete_ids=frozenset({ATHLETE}),
    is_verified_coach=True,
)
UNBOOKED_COACH = Actor(
    user_id=_user(7),
    role="coach",
    coach_id=OTHER_COACH,
    coached_athlete_ids=frozenset({OTHER_ATHLETE}),
    is_verified_coach=True,
)
UNVERIFIED_COACH = Actor(user_id=_user(8), role="coach", coach_id=OTHER_COACH)
ADMIN = Actor(user_id=_user(9), role="admin", is_admin=True)
BLOCKED_PARENT = Actor(
    user_id=_user(10), role="parent", guarded_athlete_ids=frozenset({ATHLETE}), status="blocked"
)
SUSPENDED_PARENT = Actor(
    user_id=_user(11), role="parent", guarded_athlete_ids=frozenset({ATHLETE}), status="suspended"
)
DELETED_ADMIN = Actor(user_id=_user(12), role="admin", is_admin=True, status="deleted")
# A guardian revoked consent to the athlete's videos: coaches and mentors no longer see them.
WITHHELD = frozenset({ATHLETE})
COACH_VIDEOS_REVOKED = replace(BOOKED_COACH, videos_withheld_athlete_ids=WITHHELD)
MENTOR_VIDEOS_REVOKED = replace(TRUSTED_MENTOR, videos_withheld_athlete_ids=WITHHELD)

A = Action
NOTHING: frozenset[Action] = frozenset()
OWNER = frozenset(
    {A.VIEW_PROFILE, A.EDIT_PROFILE, A.ACT_FOR_ATHLETE, A.BOOK_FOR_ATHLETE, A.VIEW_METRICS}
    | {A.LOG_METRICS, A.VIEW_VIDEO, A.UPLOAD_VIDEO, A.VIEW_SENSITIVE}
    | {A.ENROL_IN_PROGRAM, A.LOG_PROGRAM_DAY, A.JOIN_TEAM, A.ANSWER_RSVP, A.VIEW_ATTENDANCE}
    | {A.VIEW_NUTRITION_PLAN, A.CHECK_IN_MEAL, A.WAIT_FOR_PLACE, A.VIEW_BALANCES}
)
# A guardian answers for the child: who mentors them too, and whether their videos are kept.
GUARDIAN = OWNER | {A.APPROVE_MENTOR, A.GIVE_VIDEO_CONSENT, A.WRITE_NUTRITION_PLAN}
# A coach writes and reads the nutrition plans of the athletes they coach (issue 17).
COACH_NUTRITION = frozenset({A.WRITE_NUTRITION_PLAN, A.VIEW_NUTRITION_PLAN})
OWN_ACCOUNT = frozenset(
    {A.VIEW_PROFILE, A.EDIT_PROFILE, A.VIEW_SENSITIVE, A.EXPORT_OWN_DATA, A.ERASE_OWN_DATA}
)
# A team coached by COACH with the athlete on it; the same with OTHER_COACH as co-coach.
THE_TEAM = TeamTarget(frozenset({COACH}), frozenset({ATHLETE}))
CO_COACHED_TEAM = TeamTarget(frozenset({COACH, OTHER_COACH}), frozenset({ATHLETE}))
TEAM_COACH = frozenset({A.MANAGE_TEAM, A.VIEW_TEAM})
TEAM_FAMILY = frozenset({A.VIEW_TEAM, A.ANSWER_TEAM_MESSAGE})
# A day of a program OTHER_COACH wrote, followed by the athlete (whom COACH coaches).
PROGRAM_DAY = ProgramDayTarget(ATHLETE, program_coach_id=OTHER_COACH)
BOOKED_COACH_ON_ATHLETE = frozenset(
    {A.VIEW_PROFILE, A.VIEW_METRICS, A.LOG_METRICS, A.GIVE_FEEDBACK, A.VIEW_SENSITIVE}
    | {A.ASSIGN_PROGRAM, A.SCHEDULE_SERIES_FOR, A.VIEW_ATTENDANCE}
)


@dataclass(frozen=True)
class Case:
    """One row of the matrix: who, how related to what, and exactly which actions are allowed."""

    who: str
    relation: str
    actor: Actor
    target: Target
    allowed: frozenset[Action]


CASES = [
    Case("athlete", "own athlete profile", THE_ATHLETE, AthleteTarget(ATHLETE), OWNER),
    # Issue 17: an athlete writes their own nutrition plan from 16; a guardian or coach always.
    Case(
        "athlete of 16",
        "own nutrition",
        THE_ATHLETE,
        NutritionTarget(ATHLETE, age=16),
        OWNER | {A.WRITE_NUTRITION_PLAN},
    ),
    Case("athlete of 15", "own nutrition", THE_ATHLETE, NutritionTarget(ATHLETE, age=15), OWNER),
    Case("athlete, age unknown", "own nutrition", THE_ATHLETE, NutritionTarget(ATHLETE), OWNER),
    Case("parent", "child's nutrition", PARENT, NutritionTarget(ATHLETE, age=12), GUARDIAN),
    Case(
        "coach",
        "booked athlete's nutrition",
        BOOKED_COACH,
        NutritionTarget(ATHLETE, age=12),
        frozenset(
            {A.VIEW_PROFILE, A.VIEW_METRICS, A.LOG_METRICS, A.VIEW_VIDEO, A.GIVE_FEEDBACK}
            | {A.VIEW_SENSITIVE, A.ASSIGN_PROGRAM, A.SCHEDULE_SERIES_FOR, A.VIEW_ATTENDANCE}
        )
        | COACH_NUTRITION,
    ),
    Case(
        "coach",
        "unbooked athlete's nutrition",
        UNBOOKED_COACH,
        NutritionTarget(ATHLETE, age=17),
        NOTHING,
    ),
    Case(
        "other athlete of 17",
        "the athlete's nutrition",
        ANOTHER_ATHLETE,
        NutritionTarget(ATHLETE, age=17),
        NOTHING,
    ),
    Case("athlete", "own account", THE_ATHLETE, UserTarget(ATHLETE_USER), OWN_ACCOUNT),
    Case("athlete", "someone else's account", THE_ATHLETE, UserTarget(OTHER_USER), NOTHING),
    Case("other athlete", "the athlete", ANOTHER_ATHLETE, AthleteTarget(ATHLETE), NOTHING),
    Case("parent", "their child", PARENT, AthleteTarget(ATHLETE), GUARDIAN),
    Case(
        "parent",
        "own account",
        PARENT,
        UserTarget(PARENT.user_id),
        OWN_ACCOUNT | {A.MANAGE_CHILDREN},
    ),
    Case("other parent", "the athlete", ANOTHER_PARENT, AthleteTarget(ATHLETE), NOTHING),
    Case("linked guardian", "their child", SECOND_GUARDIAN, AthleteTarget(ATHLETE), GUARDIAN),
    Case(
        "mentor",
        "their mentee",
        MENTOR,
        AthleteTarget(ATHLETE),
        frozenset({A.VIEW_PROFILE, A.VIEW_METRICS, A.GIVE_FEEDBACK}),
    ),
    Case(
        "mentor allowed videos",
        "their mentee",
        TRUSTED_MENTOR,
        AthleteTarget(ATHLETE),
        frozenset({A.VIEW_PROFILE, A.VIEW_METRICS, A.VIEW_VIDEO, A.GIVE_FEEDBACK}),
    ),
    Case(
        "mentor",
        "own account",
        MENTOR,
        UserTarget(MENTOR.user_id),
        OWN_ACCOUNT | {A.ASK_TO_MENTOR},
    ),
    Case("mentor", "another athlete", TRUSTED_MENTOR, AthleteTarget(OTHER_ATHLETE), NOTHING),
    Case("parent", "another account", PARENT, UserTarget(OTHER_USER), NOTHING),
    Case(
        "coach",
        "booked athlete",
        BOOKED_COACH,
        AthleteTarget(ATHLETE),
        frozenset(
            {A.VIEW_PROFILE, A.VIEW_METRICS, A.LOG_METRICS, A.VIEW_VIDEO, A.GIVE_FEEDBACK}
            | {A.VIEW_SENSITIVE, A.ASSIGN_PROGRAM, A.SCHEDULE_SERIES_FOR, A.VIEW_ATTENDANCE}
        )
        | COACH_NUTRITION,
    ),
    Case(
        "coach",
        "booked athlete, consent revoked",
        COACH_VIDEOS_REVOKED,
        AthleteTarget(ATHLETE),
        frozenset(
            {A.VIEW_PROFILE, A.VIEW_METRICS, A.LOG_METRICS, A.GIVE_FEEDBACK, A.VIEW_SENSITIVE}
        )
        | {A.ASSIGN_PROGRAM, A.SCHEDULE_SERIES_FOR, A.VIEW_ATTENDANCE}
        | COACH_NUTRITION,
    ),
    Case(
        "mentor allowed videos",
        "mentee, consent revoked",
        MENTOR_VIDEOS_REVOKED,
        AthleteTarget(ATHLETE),
        frozenset({A.VIEW_PROFILE, A.VIEW_METRICS, A.GIVE_FEEDBACK}),
    ),
    Case("coach", "unbooked athlete", UNBOOKED_COACH, AthleteTarget(ATHLETE), NOTHING),
    Case(
        "coach",
        "own coach profile",
        BOOKED_COACH,
        CoachTarget(COACH),
        frozenset(
            {A.MANAGE_AVAILABILITY, A.AUTHOR_PROGRAM, A.COACH_TEAMS, A.AUTHOR_NUTRITION_TEMPLATE}
            | {A.SELL_PACKS_AND_FEES}
        ),
    ),
    Case("coach", "other coach", BOOKED_COACH, CoachTarget(OTHER_COACH), NOTHING),
    Case(
        "coach",
        "own session",
        BOOKED_COACH,
        SessionTarget(COACH),
        frozenset({A.RUN_SESSION, A.VIEW_WAITLIST}),
    ),
    Case("coach", "other coach's session", BOOKED_COACH, SessionTarget(OTHER_COACH), NOTHING),
    Case("parent", "their child's session", PARENT, SessionTarget(COACH), NOTHING),
    Case(
        "coach",
        "own series",
        BOOKED_COACH,
        SeriesTarget(frozenset({COACH})),
        frozenset({A.MANAGE_SERIES, A.TAKE_ATTENDANCE}),
    ),
    Case(
        "co-coach",
        "team's series",
        UNBOOKED_COACH,
        SeriesTarget(frozenset({COACH, OTHER_COACH})),
        frozenset({A.MANAGE_SERIES, A.TAKE_ATTENDANCE}),
    ),
    Case(
        "coach", "other coach's series", UNBOOKED_COACH, SeriesTarget(frozenset({COACH})), NOTHING
    ),
    Case("parent", "their child's series", PARENT, SeriesTarget(frozenset({COACH})), NOTHING),
    Case(
        "unverified coach",
        "own coach profile",
        UNVERIFIED_COACH,
        CoachTarget(OTHER_COACH),
        frozenset(
            {A.MANAGE_AVAILABILITY, A.AUTHOR_PROGRAM, A.COACH_TEAMS, A.AUTHOR_NUTRITION_TEMPLATE}
            | {A.SELL_PACKS_AND_FEES}
        ),
    ),
    Case(
        "coach",
        "own program",
        BOOKED_COACH,
        ProgramTarget(COACH),
        frozenset({A.EDIT_PROGRAM, A.PUBLISH_PROGRAM, A.VIEW_PROGRAM, A.VIEW_ADHERENCE}),
    ),
    Case(
        "unverified coach",
        "own program",
        UNVERIFIED_COACH,
        ProgramTarget(OTHER_COACH),
        frozenset({A.EDIT_PROGRAM, A.VIEW_PROGRAM, A.VIEW_ADHERENCE}),
    ),
    Case("coach", "other coach's program", UNBOOKED_COACH, ProgramTarget(COACH), NOTHING),
    Case(
        "athlete",
        "program they follow",
        THE_ATHLETE,
        ProgramTarget(COACH, frozenset({ATHLETE})),
        frozenset({A.VIEW_PROGRAM}),
    ),
    Case("athlete", "program they don't follow", THE_ATHLETE, ProgramTarget(COACH), NOTHING),
    Case(
        "parent",
        "program their child follows",
        PARENT,
        ProgramTarget(COACH, frozenset({ATHLETE})),
        frozenset({A.VIEW_PROGRAM}),
    ),
    Case(
        "other parent",
        "program another child follows",
        ANOTHER_PARENT,
        ProgramTarget(COACH, frozenset({ATHLETE})),
        NOTHING,
    ),
    Case(
        "mentor",
        "program their mentee follows",
        TRUSTED_MENTOR,
        ProgramTarget(COACH, frozenset({ATHLETE})),
        NOTHING,
    ),
    Case("admin", "a program", ADMIN, ProgramTarget(COACH, frozenset({ATHLETE})), NOTHING),
    # A video from a program day: the athlete's side sends it, the program's author (or the
    # athlete's own coach, unless the videos are withheld) answers it.
    Case(
        "athlete",
        "own program day",
        THE_ATHLETE,
        PROGRAM_DAY,
        OWNER | {A.SEND_PROGRAM_VIDEO},
    ),
    Case("parent", "child's program day", PARENT, PROGRAM_DAY, GUARDIAN | {A.SEND_PROGRAM_VIDEO}),
    Case("other parent", "another child's program day", ANOTHER_PARENT, PROGRAM_DAY, NOTHING),
    Case(
        "program's author",
        "a program day",
        UNBOOKED_COACH,
        PROGRAM_DAY,
        frozenset({A.REVIEW_PROGRAM_VIDEO}),
    ),
    Case(
        "athlete's coach",
        "another's program day",
        BOOKED_COACH,
        PROGRAM_DAY,
        BOOKED_COACH_ON_ATHLETE | {A.VIEW_VIDEO, A.REVIEW_PROGRAM_VIDEO} | COACH_NUTRITION,
    ),
    Case(
        "athlete's coach",
        "program day, consent revoked",
        COACH_VIDEOS_REVOKED,
        PROGRAM_DAY,
        BOOKED_COACH_ON_ATHLETE | COACH_NUTRITION,
    ),
    Case(
        "other coach",
        "a program day",
        UNVERIFIED_COACH,
        ProgramDayTarget(ATHLETE, program_coach_id=COACH),
        NOTHING,
    ),
    Case(
        "mentor allowed videos",
        "mentee's program day",
        TRUSTED_MENTOR,
        PROGRAM_DAY,
        frozenset({A.VIEW_PROFILE, A.VIEW_METRICS, A.VIEW_VIDEO, A.GIVE_FEEDBACK}),
    ),
    # Only a team's coaches set its fee; an admin runs a team but never prices it.
    Case("coach", "own team", BOOKED_COACH, THE_TEAM, TEAM_COACH | {A.SELL_PACKS_AND_FEES}),
    Case(
        "co-coach",
        "the team",
        UNBOOKED_COACH,
        CO_COACHED_TEAM,
        TEAM_COACH | {A.SELL_PACKS_AND_FEES},
    ),
    Case("coach", "other coach's team", UNBOOKED_COACH, THE_TEAM, NOTHING),
    Case("athlete", "team they are on", THE_ATHLETE, THE_TEAM, TEAM_FAMILY),
    Case("parent", "their child's team", PARENT, THE_TEAM, TEAM_FAMILY),
    Case("linked guardian", "their child's team", SECOND_GUARDIAN, THE_TEAM, TEAM_FAMILY),
    Case("other parent", "a team their child is not on", ANOTHER_PARENT, THE_TEAM, NOTHING),
    Case("mentor", "their mentee's team", TRUSTED_MENTOR, THE_TEAM, NOTHING),
    Case("admin", "a team", ADMIN, THE_TEAM, TEAM_COACH),
    Case("suspended parent", "their child's team", SUSPENDED_PARENT, THE_TEAM, NOTHING),
    Case("admin", "an athlete", ADMIN, AthleteTarget(ATHLETE), frozenset({A.VIEW_PROFILE})),
    Case("admin", "a user", ADMIN, UserTarget(OTHER_USER), frozenset({A.VIEW_PROFILE})),
    Case(
        "admin",
        "a coach",
        ADMIN,
        CoachTarget(COACH),
        frozenset({A.VIEW_PROFILE, A.VERIFY_COACH, A.COACH_TEAMS}),
    ),
    Case("admin", "system", ADMIN, System(), frozenset({A.ADMIN_COMMAND})),
    Case("blocked parent", "their child", BLOCKED_PARENT, AthleteTarget(ATHLETE), GUARDIAN),
    Case("suspended parent", "their child", SUSPENDED_PARENT, AthleteTarget(ATHLETE), NOTHING),
    # A suspension stops using the service, not the right to a copy of one's data.
    Case(
        "suspended parent",
        "own account",
        SUSPENDED_PARENT,
        UserTarget(SUSPENDED_PARENT.user_id),
        frozenset({A.EXPORT_OWN_DATA}),
    ),
    Case("deleted admin", "system", DELETED_ADMIN, System(), NOTHING),
]

CELLS = [(case, action) for case in CASES for action in Action]


def _cell_id(cell: tuple[Case, Action]) -> str:
    case, action = cell
    verdict = "allow" if action in case.allowed else "deny"
    return f"{case.who}/{case.relation}/{action}:{verdict}".replace(" ", "_")


@pytest.mark.parametrize("cell", CELLS, ids=[_cell_id(cell) for cell in CELLS])
def test_each_actor_may_do_exactly_what_the_matrix_allows(cell: tuple[Case, Action]) -> None:
    case, action = cell

    assert may(case.actor, action, case.target) is (action in case.allowed)


CODES = {
    A.VIEW_PROFILE: "VP",
    A.EDIT_PROFILE: "EP",
    A.ACT_FOR_ATHLETE: "AF",
    A.BOOK_FOR_ATHLETE: "BF",
    A.VIEW_METRICS: "VM",
    A.LOG_METRICS: "LM",
    A.VIEW_VIDEO: "VV",
    A.UPLOAD_VIDEO: "UV",
    A.GIVE_FEEDBACK: "GF",
    A.VIEW_SENSITIVE: "VS",
    A.MANAGE_AVAILABILITY: "MA",
    A.VERIFY_COACH: "VC",
    A.ADMIN_COMMAND: "AC",
    A.MANAGE_CHILDREN: "MC",
    A.RUN_SESSION: "RS",
    A.ASK_TO_MENTOR: "AM",
    A.APPROVE_MENTOR: "PM",
    A.AUTHOR_PROGRAM: "PA",
    A.EDIT_PROGRAM: "PE",
    A.PUBLISH_PROGRAM: "PP",
    A.VIEW_PROGRAM: "PV",
    A.EXPORT_OWN_DATA: "XD",
    A.ERASE_OWN_DATA: "ED",
    A.GIVE_VIDEO_CONSENT: "GC",
    A.ENROL_IN_PROGRAM: "EN",
    A.ASSIGN_PROGRAM: "AS",
    A.LOG_PROGRAM_DAY: "LD",
    A.VIEW_ADHERENCE: "AD",
    A.COACH_TEAMS: "TC",
    A.MANAGE_TEAM: "TM",
    A.VIEW_TEAM: "TV",
    A.JOIN_TEAM: "TJ",
    A.ANSWER_TEAM_MESSAGE: "TA",
    A.MANAGE_SERIES: "SM",
    A.TAKE_ATTENDANCE: "AT",
    A.SCHEDULE_SERIES_FOR: "SF",
    A.ANSWER_RSVP: "RV",
    A.VIEW_ATTENDANCE: "VA",
    A.WRITE_NUTRITION_PLAN: "NW",
    A.VIEW_NUTRITION_PLAN: "NV",
    A.CHECK_IN_MEAL: "NC",
    A.AUTHOR_NUTRITION_TEMPLATE: "NT",
    A.WAIT_FOR_PLACE: "WP",
    A.VIEW_WAITLIST: "WV",
    A.SELL_PACKS_AND_FEES: "SP",
    A.VIEW_BALANCES: "VB",
    A.SEND_PROGRAM_VIDEO: "SV",
    A.REVIEW_PROGRAM_VIDEO: "RP",
}


def render_matrix() -> str:
    """The matrix as a markdown table, from CASES; pasted into this module's docstring."""
    labels = [f"{case.who} → {case.relation}" for case in CASES]
    width = max(len(label) for label in labels)
    lines = [
        f"| {'actor → target':<{width}} |" + "|".join(CODES[a] for a in Action) + "|",
        f"|{'-' * (width + 2)}|" + "|".join("--" for _ in Action) + "|",
    ]
    for label, case in zip(labels, CASES, strict=True):
        marks = ("✓ " if action in case.allowed else "· " for action in Action)
        lines.append(f"| {label:<{width}} |" + "|".join(marks) + "|")
    legend = ", ".join(f"{CODES[a]} {a}" for a in Action)
    return "\n".join([*lines, "", textwrap.fill(f"✓ allow, · deny. {legend}.", width=99)])


def test_the_matrix_in_the_docstring_is_current() -> None:
    assert render_matrix() in (__doc__ or "")


ALLOWED_CELLS = [(case, action) for case, action in CELLS if action in case.allowed]
DENIED_CELLS = [(case, action) for case, action in CELLS if action not in case.allowed]
# Any uuid, with or without dashes: ids must never travel inside a refusal.
ANY_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)


@pytest.mark.parametrize("cell", ALLOWED_CELLS, ids=[_cell_id(cell) for cell in ALLOWED_CELLS])
def test_require_lets_an_allowed_action_through(cell: tuple[Case, Action]) -> None:
    case, action = cell

    assert require(case.actor, action, case.target) is None


@pytest.mark.parametrize("cell", DENIED_CELLS, ids=[_cell_id(cell) for cell in DENIED_CELLS])
def test_require_refuses_with_the_not_allowed_key_naming_only_the_action(
    cell: tuple[Case, Action],
) -> None:
    case, action = cell

    with pytest.raises(NotAllowed) as refused:
        require(case.actor, action, case.target)

    assert refused.value.message_key == "error.not_allowed"
    assert action.value in str(refused.value)
    assert not ANY_UUID.search(str(refused.value) + repr(refused.value.params))


# Holds every relation at once, so anything it is refused is refused by default, not by relation.
EVERY_RELATION = Actor(
    user_id=_user(13),
    role="parent",
    is_admin=True,
    coach_id=COACH,
    own_athlete_id=ATHLETE,
    guarded_athlete_ids=frozenset({ATHLETE}),
    mentored_athlete_ids=frozenset({ATHLETE}),
    video_mentored_athlete_ids=frozenset({ATHLETE}),
    coached_athlete_ids=frozenset({ATHLETE}),
    is_verified_coach=True,
)
MEANINGFUL: dict[Target, frozenset[Action]] = {
    AthleteTarget(ATHLETE): GUARDIAN | {A.GIVE_FEEDBACK, A.ASSIGN_PROGRAM, A.SCHEDULE_SERIES_FOR},
    UserTarget(EVERY_RELATION.user_id): OWN_ACCOUNT | {A.MANAGE_CHILDREN},
    CoachTarget(COACH): frozenset(
        {A.VIEW_PROFILE, A.VERIFY_COACH, A.MANAGE_AVAILABILITY, A.AUTHOR_PROGRAM}
        | {A.COACH_TEAMS, A.AUTHOR_NUTRITION_TEMPLATE, A.SELL_PACKS_AND_FEES}
    ),
    THE_TEAM: TEAM_COACH | TEAM_FAMILY | {A.SELL_PACKS_AND_FEES},
    NutritionTarget(ATHLETE, age=16): GUARDIAN
    | {A.GIVE_FEEDBACK, A.ASSIGN_PROGRAM, A.SCHEDULE_SERIES_FOR},
    ProgramTarget(COACH, frozenset({ATHLETE})): frozenset(
        {A.EDIT_PROGRAM, A.PUBLISH_PROGRAM, A.VIEW_PROGRAM, A.VIEW_ADHERENCE}
    ),
    SeriesTarget(frozenset({COACH})): frozenset({A.MANAGE_SERIES, A.TAKE_ATTENDANCE}),
    SessionTarget(COACH): frozenset({A.RUN_SESSION, A.VIEW_WAITLIST}),
    ProgramDayTarget(ATHLETE, program_coach_id=COACH): GUARDIAN
    | {A.GIVE_FEEDBACK, A.ASSIGN_PROGRAM, A.SCHEDULE_SERIES_FOR}
    | {A.SEND_PROGRAM_VIDEO, A.REVIEW_PROGRAM_VIDEO},
    System(): frozenset({A.ADMIN_COMMAND}),
}
PAIRS = [(target, action) for target in MEANINGFUL for action in Action]


@pytest.mark.parametrize(
    ("target", "action"),
    PAIRS,
    ids=[f"{type(target).__name__}/{action}" for target, action in PAIRS],
)
def test_a_pair_no_rule_grants_is_denied_even_to_someone_holding_every_relation(
    target: Target, action: Action
) -> None:
    assert may(EVERY_RELATION, action, target) is (action in MEANINGFUL[target])


@dataclass(frozen=True)
class PaymentTarget:
    """A kind of target the policy has never heard of."""

    payment_id: UUID


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_an_unknown_kind_of_target_is_denied(action: Action) -> None:
    assert may(EVERY_RELATION, action, PaymentTarget(ATHLETE)) is False  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("active", True),
        ("blocked", True),  # the bot cannot write to them; they may still act
        (None, True),  # the column's default is 'active'
        ("suspended", False),
        ("deleted", False),
        ("archived", False),  # a status the policy does not know: default deny
    ],
)
def test_only_active_or_blocked_users_may_act(status: str | None, allowed: bool) -> None:
    parent = replace(PARENT, status=status)

    assert may(parent, A.BOOK_FOR_ATHLETE, AthleteTarget(ATHLETE)) is allowed


def test_a_parent_who_trains_too_may_act_for_themself_and_every_child() -> None:
    parent = Actor(
        user_id=_user(14),
        role="parent",
        own_athlete_id=OTHER_ATHLETE,
        guarded_athlete_ids=frozenset({ATHLETE, SIBLING}),
    )

    assert athletes_actor_may_act_for(parent) == {OTHER_ATHLETE, ATHLETE, SIBLING}


@pytest.mark.parametrize(
    "actor",
    [MENTOR, BOOKED_COACH, ADMIN, SUSPENDED_PARENT],
    ids=["mentor", "coach", "admin", "suspended parent"],
)
def test_mentors_coaches_admins_and_suspended_users_act_for_nobody(actor: Actor) -> None:
    assert athletes_actor_may_act_for(actor) == frozenset()


ACTORS = {EVERY_RELATION: "every relation"}
for case in CASES:
    ACTORS.setdefault(case.actor, f"{case.who}, {case.relation}")


@pytest.mark.parametrize("actor", list(ACTORS), ids=list(ACTORS.values()))
def test_the_athletes_menu_matches_what_may_allows(actor: Actor) -> None:
    everyone = (ATHLETE, OTHER_ATHLETE, SIBLING)
    expected = {a for a in everyone if may(actor, A.ACT_FOR_ATHLETE, AthleteTarget(a))}

    assert athletes_actor_may_act_for(actor) == expected


def test_a_suspended_person_may_export_their_own_data_and_nothing_else() -> None:
    own = UserTarget(SUSPENDED_PARENT.user_id)

    assert may(SUSPENDED_PARENT, A.EXPORT_OWN_DATA, own) is True
    assert may(SUSPENDED_PARENT, A.ERASE_OWN_DATA, own) is False
    assert may(SUSPENDED_PARENT, A.EXPORT_OWN_DATA, UserTarget(OTHER_USER)) is False
