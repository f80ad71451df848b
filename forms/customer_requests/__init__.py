"""Customer requests under PIPL (个人信息查阅/更正/删除申请, form PR): the customer's records
gathered, decided one by one, and carried out by the system in one audited step.

- :mod:`.models`: the per-record decisions (``customer_request_items``, migration 0026);
- :mod:`.duty`: when a record is under a retention duty and kept, why and until when;
- :mod:`.gathering`: the form's rule hooks (gather on ``gather``, carry out on ``carry_out``);
- :mod:`.deciding`: the decider's per-record decisions and the request as a page shows it;
- :mod:`.carrying`: anonymisation and 勘误 corrections inside the ``carry_out`` transaction;
- :mod:`.copy`: the customer's copy (PDF, other people's data masked) and the statement of
  what is kept.
"""
