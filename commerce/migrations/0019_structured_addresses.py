"""Delivery addresses become structured: a second line, a country, and the state as its
two-letter USPS code (a select of real states); and customers get an address book.

Existing checkout details keep their state when it names one, typed as a name or code in
any case ("california", "Calif.", "ca"). A state that names nothing is not lost: it moves,
as typed, to the new second address line, and the state is left blank. Going back puts such
text back into the state.
"""

import django.core.validators
import django.db.models.deletion
import home.shared.phone
import localflavor.us.models
from django.db import migrations, models
from localflavor.us.us_states import STATES_NORMALIZED


def _state_code(text):
    return STATES_NORMALIZED.get(" ".join(text.replace(".", " ").split()).lower())


def states_to_codes(apps, schema_editor):
    CheckoutDetail = apps.get_model("commerce", "CheckoutDetail")
    for detail in CheckoutDetail.objects.only("pk", "state", "address_line2").iterator():
        code = _state_code(detail.state)
        if code == detail.state:
            continue
        if code is None:
            detail.address_line2, code = detail.state.strip(), ""
        detail.state = code
        detail.save(update_fields=["state", "address_line2"])


def unmapped_states_back(apps, schema_editor):
    CheckoutDetail = apps.get_model("commerce", "CheckoutDetail")
    for detail in CheckoutDetail.objects.filter(state="").exclude(address_line2=""):
        detail.state, detail.address_line2 = detail.address_line2, ""
        detail.save(update_fields=["state", "address_line2"])


class Migration(migrations.Migration):

    dependencies = [
        ('commerce', '0018_shipping_and_tax'),
    ]

    operations = [
        migrations.AddField(
            model_name='checkoutdetail',
            name='address_line2',
            field=models.CharField(blank=True, help_text='Apartment, suite, unit, building (optional).', max_length=255, verbose_name='address line 2'),
        ),
        migrations.AddField(
            model_name='checkoutdetail',
            name='country',
            field=models.CharField(choices=[('US', 'United States')], default='US', help_text='ISO 3166 country code.', max_length=2),
        ),
        migrations.RunPython(states_to_codes, unmapped_states_back),
        migrations.AlterField(
            model_name='checkoutdetail',
            name='state',
            field=localflavor.us.models.USStateField(max_length=2),
        ),
        migrations.CreateModel(
            name='Address',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('address', models.CharField(max_length=255, verbose_name='address line 1')),
                ('address_line2', models.CharField(blank=True, help_text='Apartment, suite, unit, building (optional).', max_length=255, verbose_name='address line 2')),
                ('city', models.CharField(max_length=100)),
                ('state', localflavor.us.models.USStateField(max_length=2)),
                ('zip_code', models.CharField(max_length=10, validators=[django.core.validators.RegexValidator('^\\d{5}(-\\d{4})?$', code='invalid_zip_code', message='Enter a 5-digit ZIP code, or ZIP+4 such as 12345-6789.')], verbose_name='ZIP code')),
                ('country', models.CharField(choices=[('US', 'United States')], default='US', help_text='ISO 3166 country code.', max_length=2)),
                ('recipient_name', models.CharField(max_length=150)),
                ('phone', models.CharField(max_length=10, validators=[home.shared.phone.validate_phone])),
                ('is_default', models.BooleanField(default=False, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='addresses', to='commerce.customer')),
            ],
            options={
                'verbose_name_plural': 'addresses',
                'ordering': ['-is_default', 'created_at', 'pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('is_default', True)), fields=('customer',), name='commerce_address_one_default_per_customer', violation_error_message='A customer has only one default address.')],
            },
        ),
    ]
